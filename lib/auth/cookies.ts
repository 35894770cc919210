/**
 * The sign-in cookie: its name and attributes, and reading a Cookie header. httpOnly (no script
 * reads it), SameSite=Lax (Strict would drop it on the redirect back from the OpenID provider,
 * and Lax still keeps it off cross-site POSTs, frames and fetches), Path=/. Over https it is
 * Secure and named with the __Host- prefix, which the browser accepts only when Secure, with
 * Path=/ and no Domain: no subdomain and no plain-http page can set or shadow it.
 */

export interface CookiePolicy {
  name: string;
  secure: boolean;
}

export function signinCookiePolicy(publicOrigin: string | null): CookiePolicy {
  const secure = publicOrigin !== null && publicOrigin.startsWith('https://');
  return secure ? { name: '__Host-sickbay', secure } : { name: 'sickbay', secure };
}

/** The short-lived cookie that ties an OpenID sign-in's redirect back to the browser that started it. */
export function oidcCookiePolicy(publicOrigin: string | null): CookiePolicy {
  const base = signinCookiePolicy(publicOrigin);
  return { name: `${base.name}-oidc`, secure: base.secure };
}

/** The cookie that binds an interview's single-use link to the candidate's browser (#13). */
export function candidateCookiePolicy(publicOrigin: string | null): CookiePolicy {
  const base = signinCookiePolicy(publicOrigin);
  return { name: `${base.name}-candidate`, secure: base.secure };
}

export function serializeCookie(policy: CookiePolicy, value: string, maxAgeSeconds: number): string {
  const parts = [`${policy.name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`];
  if (policy.secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearCookie(policy: CookiePolicy): string {
  return serializeCookie(policy, '', 0);
}

/** The value of one cookie in a Cookie header; the first one wins when a name repeats. */
export function readCookie(header: string | undefined | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
