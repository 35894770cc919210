'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { api } from '@/app/_lib/api';
import { ScenarioSelect } from '../ScenarioSelect';
import { ErrorNote } from '@/app/_components/ErrorNote';

/** Sets up an interview; the candidate link is shown here once (only its hash is stored). */
export function NewInterview({ scenarios }: { scenarios: { slug: string; title: string }[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const seed = String(data.get('seed') ?? '').trim();
    setError(null);
    try {
      const made = await api<{ link: string }>('/api/interviews', {
        method: 'POST',
        body: {
          scenario: String(data.get('scenario') ?? ''),
          candidateName: String(data.get('candidateName') ?? ''),
          timeLimitMin: Number(data.get('timeLimitMin') ?? 45),
          hints: data.get('hints') === 'on',
          ...(seed ? { seed } : {}),
        },
      });
      setLink(made.link);
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <section className="admin-section">
      <h2>New interview</h2>
      <form className="stack" onSubmit={submit}>
        <label>
          Candidate <input name="candidateName" required maxLength={80} />
        </label>
        <ScenarioSelect scenarios={scenarios} />
        <label>
          Time limit (minutes) <input name="timeLimitMin" type="number" min={5} max={240} defaultValue={45} required />
        </label>
        <label>
          Seed <input name="seed" placeholder="random (recommended)" maxLength={40} pattern="[A-Za-z0-9_\-]{1,40}" />
        </label>
        <label>
          <input name="hints" type="checkbox" /> Allow hints
        </label>
        <button type="submit">Create interview</button>
        <ErrorNote error={error} />
      </form>
      {link && (
        <p className="notice ok" role="status">
          Send this link to the candidate (shown once; it works in the first browser that starts it, for 24 hours):{' '}
          <code data-testid="candidate-link">{link}</code>
        </p>
      )}
    </section>
  );
}

/** Adds another interviewer (a facilitator or admin) to watch this interview. */
export function AddInterviewer({ interviewId }: { interviewId: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const email = String(new FormData(form).get('email') ?? '');
    setError(null);
    try {
      await api(`/api/interviews/${interviewId}/watchers`, { method: 'POST', body: { email } });
      form.reset();
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <form className="row" onSubmit={submit}>
      <input name="email" type="email" placeholder="another interviewer's e-mail" required aria-label="Interviewer e-mail" />
      <button type="submit" className="secondary">
        Add interviewer
      </button>
      <ErrorNote error={error} />
    </form>
  );
}
