import Link from 'next/link';
import { notFound } from 'next/navigation';
import { SickbayError } from '@/lib/errors';
import { CODE_PATTERN, normalizeCode } from '@/lib/drills/rules';
import { drillByCode } from '@/server/drills/drills';
import { drillDeps } from '@/server/drills/deps';
import { services } from '@/server/registry';
import { pageUser } from '@/app/_lib/auth';
import { JoinDrill } from '@/app/_components/drill/JoinDrill';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Join a drill — Sickbay' };

/** Where a join link or a typed code lands: the drill's name and its teams to pick from. */
export default async function JoinPage({ searchParams }: { searchParams: Promise<{ code?: string }> }) {
  const me = await pageUser();
  if (me.via === 'personal' || me.candidate) notFound();
  const code = normalizeCode(String((await searchParams).code ?? '').slice(0, 20));
  let found: ReturnType<typeof drillByCode> | null = null;
  let problem: string | null = CODE_PATTERN.test(code) ? null : 'A join code is 6 letters and digits, e.g. K7QX3M.';
  if (!problem) {
    try {
      found = drillByCode(drillDeps(services()), me, code);
    } catch (err) {
      if (!(err instanceof SickbayError)) throw err;
      problem = err.code === 'too_many_requests' ? `${err.message[0]?.toUpperCase()}${err.message.slice(1)}.` : 'No drill has this code: check it with your facilitator.';
    }
  }
  return (
    <>
      <h1>{found ? `Join “${found.name}”` : 'Join a drill'}</h1>
      {problem && (
        <p className="notice error" role="alert">
          {problem} <Link href="/drills">Try another code</Link>
        </p>
      )}
      {found && found.phase !== 'lobby' && <p className="notice">This drill has already started; if you joined it, you find it on your drills page.</p>}
      {found && <JoinDrill code={code} mode={found.mode} teams={found.teams} />}
    </>
  );
}
