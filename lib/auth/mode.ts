/**
 * Personal or team mode. Personal (the default): no accounts and no SICKBAY_PUBLIC_URL; the
 * person at the machine is the local admin and nothing asks them to sign in. Team: an account
 * exists or SICKBAY_PUBLIC_URL is set; every page, API route and WebSocket needs a signed-in
 * user or an API token.
 *
 * "An account exists" rather than "an admin exists": the first account is always an admin, and
 * disabling or demoting admins later must never silently turn a shared server back into an
 * open one.
 */

export function isTeamMode(input: { publicUrl: unknown; hasAccounts: boolean }): boolean {
  return input.publicUrl !== null && input.publicUrl !== undefined ? true : input.hasAccounts;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Why the server must not listen on this address, or null when it may. */
export function bindProblem(input: { host: string; teamMode: boolean }): string | null {
  if (isLoopbackHost(input.host) || input.teamMode) return null;
  return (
    `refusing to listen on ${input.host}: without accounts anyone who reaches that address could start sessions and open ` +
    `their terminals. Set SICKBAY_PUBLIC_URL to the address people use (team mode: everyone signs in; the first admin comes ` +
    'from the setup code this server then prints, or `npm run admin -- create <email>`), or listen on 127.0.0.1'
  );
}
