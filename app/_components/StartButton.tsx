'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '@/app/_lib/api';
import { ErrorNote } from '@/app/_components/ErrorNote';

/**
 * Starts a session of a scenario and opens its page. `newCulprit` asks the engine for a culprit
 * this learner has not met in the scenario yet; `seed` starts exactly that run again (a retry
 * after a failed start); `coach` chooses coach or exam mode (the server's default when absent).
 * POST /api/sessions, docs/api.md.
 */
export function StartButton({
  scenario,
  label = 'Start drill',
  newCulprit = false,
  seed,
  secondary = false,
  testId,
  coach,
}: {
  scenario: string;
  label?: string;
  newCulprit?: boolean;
  seed?: string;
  secondary?: boolean;
  testId?: string;
  coach?: boolean;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      const choice = seed !== undefined ? { seed } : newCulprit ? { newCulprit: true } : {};
      const body = await api<{ id: string }>('/api/sessions', { method: 'POST', body: { scenario, ...choice, ...(coach === undefined ? {} : { coach }) } });
      router.push(`/sessions/${body.id}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <span className="row">
      <button onClick={start} disabled={busy} className={secondary ? 'secondary' : undefined} data-testid={testId ?? (newCulprit ? 'start-new-culprit' : 'start')}>
        {busy ? 'Starting…' : label}
      </button>
      <ErrorNote error={error} />
    </span>
  );
}
