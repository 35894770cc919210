'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { api } from '@/app/_lib/api';
import { ErrorNote } from '@/app/_components/ErrorNote';

function useAction() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const run = async <T,>(fn: () => Promise<T>): Promise<T | null> => {
    setError(null);
    try {
      const out = await fn();
      router.refresh();
      return out;
    } catch (err) {
      setError((err as Error).message);
      return null;
    }
  };
  return { error, run };
}

/** Invite: the account and its one-time link, shown for the admin to pass on. */
export function InviteForm() {
  const { error, run } = useAction();
  const [link, setLink] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const made = await run(() =>
      api<{ link: string | null }>('/api/admin/users', { method: 'POST', body: { email: String(data.get('email')), role: String(data.get('role')) } }),
    );
    if (made) {
      setLink(made.link);
      form.reset();
    }
  }
  return (
    <div className="stack">
      <form className="row" onSubmit={submit}>
        <input name="email" type="email" placeholder="e-mail" required aria-label="E-mail to invite" />
        <select name="role" aria-label="Role to invite" defaultValue="learner">
          <option value="learner">learner</option>
          <option value="facilitator">facilitator</option>
          <option value="admin">admin</option>
        </select>
        <button type="submit">Invite</button>
        <ErrorNote error={error} />
      </form>
      {link && (
        <p className="notice ok" role="status">
          Send this single-use link (valid 72 hours): <code data-testid="invite-link">{link}</code>
        </p>
      )}
    </div>
  );
}

export function UserActions({ id, email, role, disabled }: { id: string; email: string; role: string; disabled: boolean }) {
  const { error, run } = useAction();
  const [link, setLink] = useState<string | null>(null);
  return (
    <span className="row">
      <select
        aria-label={`Role of ${email}`}
        value={role}
        onChange={(e) => void run(() => api(`/api/admin/users/${id}`, { method: 'POST', body: { role: e.target.value } }))}
      >
        <option value="learner">learner</option>
        <option value="facilitator">facilitator</option>
        <option value="admin">admin</option>
      </select>
      <button className="secondary" onClick={() => void run(() => api(`/api/admin/users/${id}`, { method: 'POST', body: { disabled: !disabled } }))}>
        {disabled ? 'Enable' : 'Disable'}
      </button>
      <button
        className="secondary"
        onClick={async () => {
          const out = await run(() => api<{ link: string }>(`/api/admin/users/${id}/reset-link`, { method: 'POST' }));
          if (out) setLink(out.link);
        }}
      >
        Reset link
      </button>
      {link && <code data-testid="reset-link">{link}</code>}
      <ErrorNote error={error} />
    </span>
  );
}

export function EndSession({ id }: { id: string }) {
  const { error, run } = useAction();
  return (
    <span className="row">
      <button className="danger" onClick={() => void run(() => api(`/api/sessions/${id}`, { method: 'DELETE' }))} aria-label={`End ${id}`}>
        End
      </button>
      <ErrorNote error={error} />
    </span>
  );
}

export function EndAll() {
  const { error, run } = useAction();
  return (
    <span className="row">
      <button
        className="danger"
        onClick={() => {
          if (window.confirm('End every live session on this server?')) void run(() => api('/api/admin/sessions/end-all', { method: 'POST' }));
        }}
      >
        End all
      </button>
      <ErrorNote error={error} />
    </span>
  );
}
