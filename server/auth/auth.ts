/**
 * The account system's one object (services().auth): its stores, the mode (personal or team),
 * and who a request is. server.ts's door (door.ts) asks authenticate() once per request and
 * hands the answer to route handlers and pages through a per-request key (bind / principalOf),
 * so nothing after the door reads cookies or tokens again.
 */
import crypto from 'node:crypto';
import { candidateCookiePolicy, signinCookiePolicy, oidcCookiePolicy, readCookie, type CookiePolicy } from '@/lib/auth/cookies';
import { isTeamMode } from '@/lib/auth/mode';
import { PERSONAL_PRINCIPAL, type Principal, type Scope } from '@/lib/auth/roles';
import type { PublicUrl } from '@/lib/web/origin';
import type { Db } from '../store/db';
import { ApiTokenStore, TOKEN_PREFIX } from './api-tokens';
import { AdminAudit } from './audit';
import { CohortStore } from './cohorts';
import type { AuthConfig } from './config';
import { LinkStore } from './links';
import { newSetupCode } from './secrets';
import { SigninStore } from './signins';
import { SigninThrottle } from './throttle';
import { UserStore, type User } from './users';
import { WatchLinks } from './watch-links';
import type { RequestContext } from './door';
import { OidcSignin } from './oidc';
import { InterviewStore } from '../interviews/store';

/** The request header that carries the door's per-request key to route handlers and pages. */
export const PRINCIPAL_HEADER = 'x-sickbay-principal';

export interface AuthOptions {
  db: Db;
  config: AuthConfig;
  publicUrl: PublicUrl | null;
  clock?: () => number;
}

export type Authentication = { principal: Principal } | { principal: null; problem: 'bad-token' | null };

export class AuthService {
  readonly users: UserStore;
  readonly signins: SigninStore;
  readonly tokens: ApiTokenStore;
  readonly links: LinkStore;
  readonly throttle: SigninThrottle;
  readonly cohorts: CohortStore;
  readonly interviews: InterviewStore;
  readonly audit: AdminAudit;
  readonly watchLinks = new WatchLinks();
  /** Single sign-on, when SICKBAY_OIDC_ISSUER is set. */
  readonly oidc: OidcSignin | null;
  readonly config: AuthConfig;
  readonly publicUrl: PublicUrl | null;
  readonly cookie: CookiePolicy;
  readonly oidcCookie: CookiePolicy;
  readonly candidateCookie: CookiePolicy;
  readonly clock: () => number;
  /** The first-run page's code, while team mode has no admin (printed to the log). */
  private setup: string | null = null;
  private readonly bound = new Map<string, RequestContext>();
  private port = 0;

  constructor(options: AuthOptions) {
    const clock = options.clock ?? Date.now;
    this.clock = clock;
    this.config = options.config;
    this.publicUrl = options.publicUrl;
    this.users = new UserStore(options.db, clock);
    this.signins = new SigninStore(options.db, clock);
    this.tokens = new ApiTokenStore(options.db, clock);
    this.links = new LinkStore(options.db, clock);
    this.throttle = new SigninThrottle(options.db, clock);
    this.cohorts = new CohortStore(options.db, clock);
    this.audit = new AdminAudit(options.db, clock);
    this.interviews = new InterviewStore(options.db, clock);
    this.watchLinks.addSource((watcherId) => this.cohorts.watchLinks(watcherId));
    this.watchLinks.addSource((watcherId) => this.interviews.watchLinks(watcherId));
    this.cookie = signinCookiePolicy(options.publicUrl?.origin ?? null);
    this.oidcCookie = oidcCookiePolicy(options.publicUrl?.origin ?? null);
    this.candidateCookie = candidateCookiePolicy(options.publicUrl?.origin ?? null);
    this.oidc = options.config.oidc ? new OidcSignin(this, options.config.oidc) : null;
  }

  /** The port really served (links printed for people use it when there is no public URL). */
  listening(port: number): void {
    this.port = port;
  }

  /** Where people open this server: the public URL, else loopback with the served port. */
  baseUrl(): string {
    return this.publicUrl?.origin ?? `http://127.0.0.1:${this.port}`;
  }

  /** Read on every request: an account made by `npm run admin` in another process counts at once. */
  teamMode(): boolean {
    return isTeamMode({ publicUrl: this.publicUrl, hasAccounts: this.users.hasAccounts() });
  }

  /** No admin yet: the first-run page is open (with the setup code in team mode). */
  needsFirstAdmin(): boolean {
    return this.users.countEnabledAdmins() === 0;
  }

  /** The setup code, made on first use while an admin is missing; null once one exists. */
  setupCode(): string | null {
    if (!this.needsFirstAdmin()) {
      this.setup = null;
      return null;
    }
    this.setup ??= newSetupCode();
    return this.setup;
  }

  forgetSetupCode(): void {
    this.setup = null;
  }

  principalFor(user: User, via: 'cookie' | 'token', options: { scopes?: readonly Scope[] | null; signinId?: string | null } = {}): Principal {
    return {
      user: { id: user.id, email: user.email, name: user.name, role: user.role },
      via,
      scopes: options.scopes ?? null,
      signinId: options.signinId ?? null,
    };
  }

  /**
   * Who a request is. Personal mode: the local admin, always. Team mode: the API token in
   * `Authorization: Bearer` when there is one (a wrong one is a problem, not "anonymous"),
   * else the sign-in cookie, else an interview candidate's browser cookie (#13: the door then
   * confines it to the candidate page and its one session); a disabled account is nobody.
   */
  authenticate(headers: { cookie?: string; authorization?: string }): Authentication {
    if (!this.teamMode()) return { principal: PERSONAL_PRINCIPAL };
    const auth = headers.authorization?.trim();
    if (auth) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      const found = m && (m[1] as string).startsWith(TOKEN_PREFIX) ? this.tokens.authenticate(m[1] as string) : null;
      const user = found ? this.users.get(found.userId) : null;
      if (!found || !user || user.disabled) return { principal: null, problem: 'bad-token' };
      return { principal: this.principalFor(user, 'token', { scopes: found.scopes }) };
    }
    const signin = this.signins.lookup(readCookie(headers.cookie, this.cookie.name));
    const user = signin ? this.users.get(signin.userId) : null;
    if (!signin || !user || user.disabled) return this.candidate(headers.cookie);
    return { principal: this.principalFor(user, 'cookie', { signinId: signin.signinId }) };
  }

  private candidate(cookie: string | undefined): Authentication {
    const found = this.interviews.candidateOf(readCookie(cookie, this.candidateCookie.name));
    const user = found ? this.users.get(found.userId) : null;
    if (!found || !user || user.disabled) return { principal: null, problem: null };
    return {
      principal: { user: { id: user.id, email: null, name: found.name, role: 'learner' }, via: 'interview', scopes: null, signinId: null, candidate: found.scope },
    };
  }

  /** Ties what the door found to one request; the key travels in PRINCIPAL_HEADER. Unbind when it ends. */
  bind(context: RequestContext): string {
    const key = crypto.randomBytes(18).toString('base64url');
    this.bound.set(key, context);
    return key;
  }

  unbind(key: string): void {
    this.bound.delete(key);
  }

  /** What the door found for this request; null when the request did not come through it. */
  contextOf(key: string | null | undefined): RequestContext | null {
    return key ? (this.bound.get(key) ?? null) : null;
  }

  /** Ends everything a disabled account could still use: its sign-ins and its tokens. */
  cutOff(userId: string): void {
    this.signins.revokeAllOf(userId);
    this.tokens.revokeAllOf(userId);
  }
}
