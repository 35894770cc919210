import { readCookie } from '@/lib/auth/cookies';
import { linkRefusal } from '@/lib/interviews/rules';
import { cookies } from 'next/headers';
import { services } from '@/server/registry';
import { pagePrincipal } from '@/app/_lib/auth';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Your interview — Sickbay' };

/**
 * Where a candidate link lands. Opening it uses nothing up (a link preview must not burn it):
 * the candidate presses Start, a plain form POST that binds the link to this browser.
 */
export default async function JoinPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const token = (await searchParams).token ?? '';
  const me = await pagePrincipal();
  const { auth } = services();
  if (me && !me.candidate && me.via !== 'personal') {
    return (
      <section className="panel" data-testid="join-refused">
        <h1>This link is for the candidate</h1>
        <p className="lead">You are signed in as {me.user.email ?? me.user.name}. Send the link to the candidate, or open it in a private window to try it: it works in the first browser that starts it, only.</p>
      </section>
    );
  }
  const jar = await cookies();
  const { state, row } = auth.interviews.linkState(token, readCookie(jar.toString(), auth.candidateCookie.name));
  const refusal = linkRefusal(state);
  if (refusal || !row) {
    return (
      <section className="panel" data-testid="join-refused">
        <h1>This interview link cannot be used here</h1>
        <p className="lead">{refusal}</p>
      </section>
    );
  }
  const title = services().catalogue.has(row.scenario) ? services().catalogue.get(row.scenario).definition.title : row.scenario;
  return (
    <section className="panel" data-testid="join">
      <h1>Hello {row.candidate_name}</h1>
      <p className="lead">
        Your practical debugging interview: <strong>{title}</strong>. You will get a terminal on a small system that is misbehaving, and {row.time_limit_min} minutes to
        find out why, keep people informed and say what you would do. Your interviewer watches how you work, live.
      </p>
      <p className="lead small">
        {state.kind === 'mine'
          ? 'You have started already: continue where you were.'
          : 'The link works in this browser only once you start, and your time begins then.'}
      </p>
      <form method="post" action="/api/interviews/join">
        <input type="hidden" name="token" value={token} />
        <button type="submit" data-testid="join-start">
          {state.kind === 'mine' ? 'Continue the interview' : 'Start the interview'}
        </button>
      </form>
    </section>
  );
}
