import Link from 'next/link';
import { services } from '@/server/registry';
import { CredentialsForm } from '@/app/_components/auth/CredentialsForm';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'First admin — Sickbay' };

/** The first-run page: open only while no admin exists; in team mode it asks for the setup code from the log. */
export default function SetupPage() {
  const { auth } = services();
  if (!auth.needsFirstAdmin()) {
    return (
      <div className="narrow-page">
        <h1>First admin</h1>
        <p>
          This server has an admin already. <Link href="/signin">Sign in</Link>.
        </p>
      </div>
    );
  }
  const team = auth.teamMode();
  return (
    <div className="narrow-page">
      <h1>Create the first admin</h1>
      <p className="lead">
        {team
          ? 'Enter the setup code the server printed in its log ("setup code"), and the admin account to create.'
          : 'This makes the server a shared one: from now on everyone signs in, and you manage accounts on the admin page.'}
      </p>
      <CredentialsForm
        action="/api/auth/setup"
        submit="Create the admin and sign in"
        next="/admin"
        fields={[
          ...(team ? [{ name: 'code', label: 'Setup code', type: 'text' as const, autoComplete: 'one-time-code' }] : []),
          { name: 'email', label: 'E-mail', type: 'email', autoComplete: 'username' },
          { name: 'password', label: 'Password (10 characters or more)', type: 'password', autoComplete: 'new-password' },
        ]}
      />
    </div>
  );
}
