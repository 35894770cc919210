'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { api } from '@/app/_lib/api';
import { ErrorNote } from '@/app/_components/ErrorNote';

function useAction() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      router.refresh();
      return true;
    } catch (err) {
      setError((err as Error).message);
      return false;
    }
  };
  return { error, run };
}

export function NewCohort() {
  const { error, run } = useAction();
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const name = String(new FormData(form).get('name') ?? '');
    if (await run(() => api('/api/cohorts', { method: 'POST', body: { name } }))) form.reset();
  }
  return (
    <form className="row" onSubmit={submit}>
      <input name="name" placeholder="cohort name" required maxLength={80} aria-label="Cohort name" />
      <button type="submit">Create cohort</button>
      <ErrorNote error={error} />
    </form>
  );
}

export function AddMember({ cohortId, name }: { cohortId: string; name: string }) {
  const { error, run } = useAction();
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const email = String(new FormData(form).get('email') ?? '');
    if (await run(() => api(`/api/cohorts/${cohortId}/members`, { method: 'POST', body: { email, role: 'learner' } }))) form.reset();
  }
  return (
    <form className="row" onSubmit={submit}>
      <input name="email" type="email" placeholder="learner's e-mail" required aria-label={`Add a learner to ${name}`} />
      <button type="submit">Add learner</button>
      <ErrorNote error={error} />
    </form>
  );
}

export function RemoveMember({ cohortId, userId, label }: { cohortId: string; userId: string; label: string }) {
  const { error, run } = useAction();
  return (
    <>
      <button className="secondary" aria-label={`Remove ${label}`} onClick={() => void run(() => api(`/api/cohorts/${cohortId}/members/${userId}`, { method: 'DELETE' }))}>
        Remove
      </button>
      <ErrorNote error={error} />
    </>
  );
}
