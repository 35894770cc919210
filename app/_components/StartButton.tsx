'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '@/app/_lib/api';

/** Starts a session of a scenario and opens its page. */
export function StartButton({ scenario, title }: { scenario: string; title: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      const body = await api<{ id: string }>('/api/sessions', { method: 'POST', body: { scenario } });
      router.push(`/sessions/${body.id}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <div className="row">
      <button onClick={start} disabled={busy} aria-label={`Start ${title}`}>
        {busy ? 'Starting…' : 'Start drill'}
      </button>
      {error && <span className="error" role="alert">{error}</span>}
    </div>
  );
}
