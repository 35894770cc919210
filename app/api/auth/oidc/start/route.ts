import { NextResponse } from 'next/server';
import { serializeCookie } from '@/lib/auth/cookies';
import { safeReturnPath } from '@/lib/auth/paths';
import { services } from '@/server/registry';

export const dynamic = 'force-dynamic';

/** A relative redirect: the browser stays on the name it used (its cookies live there). */
const back = (location: string) => new NextResponse(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });

/** Starts single sign-on: to the provider, with the flow's id in a 10-minute cookie. */
export async function GET(request: Request) {
  const { auth } = services();
  const next = safeReturnPath(new URL(request.url).searchParams.get('next'));
  if (!auth.oidc) return back(`/signin?error=${encodeURIComponent('single sign-on is not configured')}`);
  try {
    const { url, flowId, maxAgeSeconds } = await auth.oidc.start(next);
    const res = new NextResponse(null, { status: 303, headers: { location: url, 'cache-control': 'no-store' } });
    res.headers.append('set-cookie', serializeCookie(auth.oidcCookie, flowId, maxAgeSeconds));
    return res;
  } catch (err) {
    return back(`/signin?error=${encodeURIComponent((err as Error).message.slice(0, 300))}`);
  }
}
