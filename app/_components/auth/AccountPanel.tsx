'use client';

import { useState, type FormEvent } from 'react';
import { api } from '@/app/_lib/api';
import { ErrorNote } from '@/app/_components/ErrorNote';
import { formatUtc } from '@/lib/display/clock';

interface TokenInfo {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
}

/** Sign-out, sign-out everywhere, the password (local accounts) and personal API tokens (a new token's value is shown once). */
export function AccountPanel({ initialTokens, scopes, localPassword }: { initialTokens: TokenInfo[]; scopes: readonly string[]; localPassword: boolean }) {
  const [tokens, setTokens] = useState(initialTokens);
  const [fresh, setFresh] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [passwordNote, setPasswordNote] = useState<string | null>(null);

  async function signOut(everywhere: boolean) {
    try {
      await api(everywhere ? '/api/auth/signout-everywhere' : '/api/auth/signout', { method: 'POST' });
      window.location.assign('/signin');
    } catch (err) {
      setError((err as Error).message);
    }
  }

  async function create(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const form = e.currentTarget;
    setError(null);
    try {
      const made = await api<TokenInfo & { token: string }>('/api/me/tokens', {
        method: 'POST',
        body: { name: String(data.get('name') ?? ''), scopes: data.getAll('scope').map(String) },
      });
      setFresh({ name: made.name, token: made.token });
      setTokens((t) => [...t, { id: made.id, name: made.name, scopes: made.scopes, createdAt: made.createdAt, lastUsedAt: null }]);
      form.reset();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  async function changePassword(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    setError(null);
    setPasswordNote(null);
    if (data.get('password') !== data.get('again')) return setError('the two new passwords differ');
    try {
      await api('/api/me/password', { method: 'POST', body: { current: String(data.get('current') ?? ''), password: String(data.get('password') ?? '') } });
      form.reset();
      setPasswordNote('Password changed. Every other browser was signed out.');
    } catch (err) {
      setError((err as Error).message);
    }
  }

  async function revoke(id: string) {
    try {
      await api(`/api/me/tokens/${id}`, { method: 'DELETE' });
      setTokens((t) => t.filter((x) => x.id !== id));
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <div className="stack">
      <div className="row">
        <button onClick={() => signOut(false)}>Sign out</button>
        <button className="secondary" onClick={() => signOut(true)}>
          Sign out everywhere
        </button>
      </div>
      {localPassword && (
        <>
          <h2>Password</h2>
          <form className="stack auth-form narrow-page" onSubmit={changePassword} aria-label="Change password">
            <label>
              Current password
              <input name="current" type="password" autoComplete="current-password" required maxLength={256} />
            </label>
            <label>
              New password
              <input name="password" type="password" autoComplete="new-password" required minLength={10} maxLength={256} />
            </label>
            <label>
              New password again
              <input name="again" type="password" autoComplete="new-password" required minLength={10} maxLength={256} />
            </label>
            <button type="submit">Change password</button>
          </form>
          {passwordNote && (
            <p className="notice" role="status">
              {passwordNote}
            </p>
          )}
        </>
      )}
      <h2>API tokens</h2>
      <p className="meta">For scripts: send `Authorization: Bearer &lt;token&gt;`. A token is shown once; revoke it when it is no longer needed.</p>
      {fresh && (
        <p className="notice" role="status">
          Token <strong>{fresh.name}</strong>: <code data-testid="new-token">{fresh.token}</code> — copy it now, it is not shown again.
        </p>
      )}
      {tokens.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Scopes</th>
              <th>Created</th>
              <th>Last used</th>
              <th>
                <span className="visually-hidden">Revoke</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td className="mono">{t.scopes.join(' ')}</td>
                <td>{formatUtc(t.createdAt)}</td>
                <td>{t.lastUsedAt ? formatUtc(t.lastUsedAt) : 'never'}</td>
                <td>
                  <button className="secondary" onClick={() => revoke(t.id)} aria-label={`Revoke ${t.name}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="row" onSubmit={create}>
        <input name="name" placeholder="token name" required maxLength={80} aria-label="Token name" />
        {scopes.map((s) => (
          <label key={s} className="row" style={{ gap: 4 }}>
            <input type="checkbox" name="scope" value={s} defaultChecked={s === 'sessions:read'} /> {s}
          </label>
        ))}
        <button type="submit">Create token</button>
      </form>
      <ErrorNote error={error} block />
    </div>
  );
}
