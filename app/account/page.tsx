import { scopesOfRole } from '@/lib/auth/roles';
import { services } from '@/server/registry';
import { pageUser } from '@/app/_lib/auth';
import { AccountPanel } from '@/app/_components/auth/AccountPanel';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Account — Sickbay' };

export default async function AccountPage() {
  const me = await pageUser();
  if (me.via === 'personal') {
    return (
      <>
        <h1>Account</h1>
        <p className="lead">This Sickbay runs in personal mode: no accounts, no sign-in. To share it with a team, create the first admin on the admin page.</p>
      </>
    );
  }
  return (
    <>
      <h1>Account</h1>
      <p className="lead">
        Signed in as <strong data-testid="account-email">{me.user.email}</strong> ({me.user.role}).
      </p>
      <AccountPanel
        initialTokens={services().auth.tokens.list(me.user.id)}
        scopes={scopesOfRole(me.user.role)}
        localPassword={me.via === 'cookie' && services().auth.users.passwordHash(me.user.id) !== null}
      />
    </>
  );
}
