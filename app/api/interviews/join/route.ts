import { NextResponse } from 'next/server';
import { SickbayError } from '@/lib/errors';
import { readCookie, serializeCookie } from '@/lib/auth/cookies';
import { CANDIDATE_JOIN_PATH, CANDIDATE_PAGE_PATH } from '@/lib/interviews/rules';
import { joinInterview } from '@/server/interviews/interviews';
import { services } from '@/server/registry';
import { requestContext } from '@/app/_lib/auth';
import { handle } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/** The candidate cookie outlives the link's day by the longest interview. */
const CANDIDATE_COOKIE_MAX_AGE_S = 2 * 24 * 3600;

/**
 * The candidate's "Start the interview" (a plain form on the join page, so it works before any
 * script loads). Binds the link to this browser and starts the session, then goes to the
 * candidate page; a refused browser goes back to the join page, which says why.
 */
export async function POST(request: Request) {
  return handle(async () => {
    const principal = requestContext(request).principal;
    if (principal && !principal.candidate) {
      throw new SickbayError('conflict', 'you are signed in: a candidate link is for the candidate, open it in their browser (or a private window)');
    }
    const form = await request.formData().catch(() => null);
    const token = form?.get('token');
    if (typeof token !== 'string' || token.length > 200) throw new SickbayError('bad_request', 'the form carries no interview link token');
    const s = services();
    const result = joinInterview(s, token, readCookie(request.headers.get('cookie'), s.auth.candidateCookie.name));
    const back = result.kind === 'joined' ? CANDIDATE_PAGE_PATH : `${CANDIDATE_JOIN_PATH}?token=${encodeURIComponent(token)}`;
    const response = new NextResponse(null, { status: 303, headers: { location: back, 'cache-control': 'no-store' } });
    if (result.kind === 'joined' && result.cookie) response.headers.append('set-cookie', serializeCookie(s.auth.candidateCookie, result.cookie, CANDIDATE_COOKIE_MAX_AGE_S));
    return response;
  });
}
