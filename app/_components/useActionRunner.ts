'use client';

import { useState } from 'react';

/**
 * One user action at a time: `busy` names the running one (buttons disable on it), and what an
 * action throws becomes `error`, shown by the page. The session page and the candidate page
 * both run their buttons through it.
 */
export function useActionRunner<K extends string>() {
  const [busy, setBusy] = useState<K | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run(kind: K, action: () => Promise<void>): Promise<void> {
    setBusy(kind);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  }

  return { busy, error, setError, run };
}
