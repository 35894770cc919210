'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '@/app/_lib/api';
import { ErrorNote } from '@/app/_components/ErrorNote';

/** Joins with the code: into the team picked, or (no pick, or individuals) where the server puts you. */
export function JoinDrill({ code, mode, teams }: { code: string; mode: 'teams' | 'individuals'; teams: { id: string; name: string; members: number }[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function join(teamId?: string) {
    setBusy(true);
    setError(null);
    try {
      const joined = await api<{ id: string }>('/api/drills/join', { method: 'POST', body: { code, ...(teamId ? { teamId } : {}) } });
      router.push(`/drills/${joined.id}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }
  return (
    <div className="stack">
      {mode === 'teams' ? (
        <ul className="plain">
          {teams.map((t) => (
            <li key={t.id} className="row">
              <button type="button" disabled={busy} onClick={() => void join(t.id)} data-testid={`join-team-${t.name}`}>
                Join {t.name}
              </button>{' '}
              <span className="meta">
                {t.members} member{t.members === 1 ? '' : 's'}
              </span>
            </li>
          ))}
          <li>
            <button type="button" className="secondary" disabled={busy} onClick={() => void join()} data-testid="join-any">
              Put me where I am needed
            </button>
          </li>
        </ul>
      ) : (
        <button type="button" disabled={busy} onClick={() => void join()} data-testid="join-any">
          Join the drill
        </button>
      )}
      <ErrorNote error={error} />
    </div>
  );
}
