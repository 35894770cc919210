/**
 * The first decision on every request and WebSocket upgrade, before Next or the terminal
 * gateway sees it: is it for us (Host), and may it change anything (CSRF)?
 */
import { csrfVerdict } from './csrf';
import { hostAllowed, originAllowed, type WebAllowlist } from './origin';

export interface ScreenedRequest {
  method: string;
  host?: string;
  origin?: string;
  fetchSite?: string;
}

export type ScreenDecision =
  | { pass: true; via: 'safe-method' | 'same-origin' | 'no-browser' }
  | { pass: false; status: 421 | 403; message: string };

/** Plain text for a 421: which names we answer to, and how to add one. */
export function misdirectedMessage(list: WebAllowlist): string {
  return `misdirected request: this Sickbay answers only to ${[...list.hosts].join(', ')}; to reach it under another name, set SICKBAY_PUBLIC_URL`;
}

export function screenRequest(req: ScreenedRequest, list: WebAllowlist): ScreenDecision {
  if (!hostAllowed(req.host, list)) return { pass: false, status: 421, message: misdirectedMessage(list) };
  const csrf = csrfVerdict(req, (origin) => originAllowed(origin, list));
  if (!csrf.allow) return { pass: false, status: 403, message: csrf.reason };
  return { pass: true, via: csrf.via };
}

/** Upgrades are GETs: only the Host is checked here; the terminal gateway checks the Origin. */
export function screenUpgrade(req: { host?: string }, list: WebAllowlist): ScreenDecision {
  if (!hostAllowed(req.host, list)) return { pass: false, status: 421, message: misdirectedMessage(list) };
  return { pass: true, via: 'safe-method' };
}
