'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { api } from '@/app/_lib/api';
import { ScenarioSelect } from '../ScenarioSelect';
import { ErrorNote } from '@/app/_components/ErrorNote';

/** Sets up a drill: scenario, teams (one name a line) or individuals, seed, time limit. */
export function NewDrill({ scenarios }: { scenarios: { slug: string; title: string }[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<'teams' | 'individuals'>('teams');
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const seed = String(data.get('seed') ?? '').trim();
    const teams = String(data.get('teams') ?? '')
      .split('\n')
      .map((t) => t.trim())
      .filter(Boolean);
    setError(null);
    try {
      const made = await api<{ id: string }>('/api/drills', {
        method: 'POST',
        body: {
          name: String(data.get('name') ?? ''),
          scenario: String(data.get('scenario') ?? ''),
          mode,
          teams: mode === 'teams' ? teams : [],
          seedMode: data.get('seedMode') === 'per-team' ? 'per-team' : 'shared',
          timeLimitMin: Number(data.get('timeLimitMin') ?? 30),
          ...(seed ? { seed } : {}),
        },
      });
      router.push(`/drills/${made.id}`);
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <section className="admin-section">
      <h2>New drill</h2>
      <form className="stack" onSubmit={submit}>
        <label>
          Name <input name="name" required maxLength={80} placeholder="Friday game day" />
        </label>
        <ScenarioSelect scenarios={scenarios} />
        <fieldset>
          <legend>Who plays</legend>
          <label>
            <input type="radio" name="mode" value="teams" checked={mode === 'teams'} onChange={() => setMode('teams')} /> Teams
          </label>{' '}
          <label>
            <input type="radio" name="mode" value="individuals" checked={mode === 'individuals'} onChange={() => setMode('individuals')} /> Individuals (everyone on their own)
          </label>
        </fieldset>
        {mode === 'teams' && (
          <label>
            Teams, one name a line <textarea name="teams" rows={3} defaultValue={'Red\nBlue'} required />
          </label>
        )}
        <label>
          Seed{' '}
          <select name="seedMode" defaultValue="shared">
            <option value="shared">the same for everyone (a fair comparison)</option>
            <option value="per-team">one per team</option>
          </select>{' '}
          <input name="seed" placeholder="random (recommended)" maxLength={40} pattern="[A-Za-z0-9_\-]{1,40}" aria-label="seed" />
        </label>
        <label>
          Time limit (minutes) <input name="timeLimitMin" type="number" min={5} max={240} defaultValue={30} required />
        </label>
        <button type="submit">Create drill</button>
        <ErrorNote error={error} />
      </form>
    </section>
  );
}

/** A participant types the code they were given. */
export function JoinByCode() {
  const router = useRouter();
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        const code = String(new FormData(e.currentTarget).get('code') ?? '').trim();
        router.push(`/drills/join?code=${encodeURIComponent(code)}`);
      }}
    >
      <label>
        Join code <input name="code" required maxLength={20} placeholder="K7QX3M" autoComplete="off" data-testid="join-code" />
      </label>
      <button type="submit">Join</button>
    </form>
  );
}
