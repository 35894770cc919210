import Link from 'next/link';
import { redirect } from 'next/navigation';
import { safeReturnPath } from '@/lib/auth/paths';
import { services } from '@/server/registry';
import { pagePrincipal } from '@/app/_lib/auth';
import { CredentialsForm } from '@/app/_components/auth/CredentialsForm';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Sign in — Sickbay' };

export default async function SigninPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { next: rawNext, error } = await searchParams;
  const next = safeReturnPath(rawNext);
  const { auth } = services();
  if (await pagePrincipal()) redirect(next);
  const oidc = auth.config.oidc;
  return (
    <div className="narrow-page">
      <h1>Sign in</h1>
      {error && (
        <p className="error" role="alert">
          {error.slice(0, 300)}
        </p>
      )}
      {oidc && (
        <p>
          <a className="button" href={`/api/auth/oidc/start?next=${encodeURIComponent(next)}`}>
            Sign in with {oidc.label}
          </a>
        </p>
      )}
      <CredentialsForm
        action="/api/auth/signin"
        submit="Sign in"
        next={next}
        fields={[
          { name: 'email', label: 'E-mail', type: 'email', autoComplete: 'username' },
          { name: 'password', label: 'Password', type: 'password', autoComplete: 'current-password' },
        ]}
      />
      <p className="meta">Forgot your password? Ask an admin for a reset link.</p>
      {auth.needsFirstAdmin() && (
        <p className="meta">
          No admin yet: <Link href="/setup">create the first admin</Link>.
        </p>
      )}
    </div>
  );
}
