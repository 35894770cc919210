'use client';

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { formatClock } from '@/lib/display/clock';
import type { InterviewNote } from '@/server/interviews/store';
import { api } from '@/app/_lib/api';
import { ErrorNote } from '@/app/_components/ErrorNote';

const POLL_MS = 3000;

/**
 * The interviewers' private notes: typed at any moment, pinned by the server to the session
 * clock, shared with every interviewer of this interview (polled, so a colleague's note shows
 * up too). The candidate's browser cannot reach any of it (404).
 */
export function InterviewNotes({ interviewId, live }: { interviewId: string; live: boolean }) {
  const [notes, setNotes] = useState<InterviewNote[]>([]);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const answer = await api<{ notes: InterviewNote[] }>(`/api/interviews/${interviewId}/notes`);
    setNotes(answer.notes);
  }, [interviewId]);

  useEffect(() => {
    void load().catch((err: Error) => setError(err.message));
    if (!live) return;
    const poll = setInterval(() => void load().catch(() => {}), POLL_MS);
    return () => clearInterval(poll);
  }, [load, live]);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api(`/api/interviews/${interviewId}/notes`, { method: 'POST', body: { text } });
      setText('');
      await load();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" data-testid="interview-notes" aria-label="Private notes">
      <h2>Private notes</h2>
      <p className="lead small">Only interviewers read these. Each is pinned to the session clock when you add it.</p>
      <form className="stack" onSubmit={submit}>
        <textarea name="note" rows={3} maxLength={4000} required value={text} onChange={(e) => setText(e.target.value)} aria-label="Note" data-testid="note-text" />
        <div className="row">
          <button type="submit" disabled={busy || !text.trim()} data-testid="note-add">
            Pin note
          </button>
          <ErrorNote error={error} />
        </div>
      </form>
      <ol className="timeline" data-testid="note-list">
        {notes.map((n) => (
          <li key={n.id} data-note={n.id}>
            <span className="t">{formatClock(n.atMs)}</span>
            <span>
              {n.text} <span className="muted">— {n.author.email ?? n.author.name}</span>
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
