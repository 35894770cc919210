'use client';

import { useState, type FormEvent } from 'react';
import { api } from '@/app/_lib/api';
import { ErrorNote } from '@/app/_components/ErrorNote';

interface Field {
  name: string;
  label: string;
  type: 'email' | 'password' | 'text';
  autoComplete: string;
}

/**
 * One small form for sign-in, first admin and set-password: posts its fields as JSON (plus the
 * fixed `extra` ones) and goes to `next` when the server says yes, or shows the server's message.
 */
export function CredentialsForm({ action, fields, extra = {}, submit, next }: { action: string; fields: Field[]; extra?: Record<string, string>; submit: string; next: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const data = new FormData(e.currentTarget);
    const body: Record<string, string> = { ...extra };
    for (const f of fields) body[f.name] = String(data.get(f.name) ?? '');
    try {
      await api(action, { method: 'POST', body });
      // A full navigation: the layout and every page must be rendered for the signed-in user.
      window.location.assign(next);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <form className="stack auth-form" onSubmit={onSubmit}>
      {fields.map((f) => (
        <label key={f.name}>
          {f.label}
          <input name={f.name} type={f.type} autoComplete={f.autoComplete} required={f.name !== 'name'} />
        </label>
      ))}
      <button type="submit" disabled={busy}>
        {busy ? 'One moment…' : submit}
      </button>
      <ErrorNote error={error} block />
    </form>
  );
}
