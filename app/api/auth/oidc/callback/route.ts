import { NextResponse } from 'next/server';
import { clearCookie, readCookie, serializeCookie } from '@/lib/auth/cookies';
import { services } from '@/server/registry';

export const dynamic = 'force-dynamic';

/** A relative redirect: the browser stays on the name it used (its cookies live there). */
const back = (location: string) => new NextResponse(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });

/** The provider's redirect back: signed in and on to where the user was going, or back to /signin with the reason. */
export async function GET(request: Request) {
  const { auth } = services();
  const flowId = readCookie(request.headers.get('cookie'), auth.oidcCookie.name);
  try {
    if (!auth.oidc) throw new Error('single sign-on is not configured');
    const signed = await auth.oidc.finish(new URL(request.url).searchParams, flowId);
    const res = new NextResponse(null, { status: 303, headers: { location: signed.next, 'cache-control': 'no-store' } });
    res.headers.append('set-cookie', serializeCookie(auth.cookie, signed.cookieValue, signed.maxAgeSeconds));
    res.headers.append('set-cookie', clearCookie(auth.oidcCookie));
    return res;
  } catch (err) {
    const res = back(`/signin?error=${encodeURIComponent((err as Error).message.slice(0, 300))}`);
    res.headers.append('set-cookie', clearCookie(auth.oidcCookie));
    return res;
  }
}
