import { isSickbayError } from '@/lib/errors';
import { services } from '@/server/registry';
import { CredentialsForm } from '@/app/_components/auth/CredentialsForm';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Choose a password — Sickbay' };

/** Where invitation and reset links lead: choose a password, once. */
export default async function SetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const token = (await searchParams).token ?? '';
  const { auth } = services();
  let email: string | null = null;
  let purpose: 'invite' | 'reset' = 'invite';
  let problem: string | null = null;
  try {
    const link = auth.links.peek(token);
    email = auth.users.get(link.userId)?.email ?? null;
    purpose = link.purpose;
  } catch (err) {
    problem = isSickbayError(err) ? err.message : 'this link cannot be used';
  }
  return (
    <div className="narrow-page">
      <h1>{purpose === 'reset' ? 'Choose a new password' : 'Welcome to Sickbay'}</h1>
      {problem ? (
        <p className="error" role="alert">
          {problem}
        </p>
      ) : (
        <>
          <p className="lead">
            Choose a password for <strong data-testid="link-email">{email}</strong> (10 characters or more).
          </p>
          <CredentialsForm
            action="/api/auth/set-password"
            submit="Set the password and sign in"
            next="/"
            extra={{ token }}
            fields={[{ name: 'password', label: 'New password', type: 'password', autoComplete: 'new-password' }]}
          />
        </>
      )}
    </div>
  );
}
