/**
 * Single sign-on over OpenID Connect with openid-client 6: discovery, the authorization code
 * flow with PKCE (S256), state and nonce. The flow's secrets stay on the server (keyed by a
 * random id in a short-lived httpOnly cookie), at most 10 minutes and 1000 flows at once.
 * Users are found by issuer + subject; an account an admin invited by e-mail is linked on its
 * first sign-in when the provider vouches for that address (email_verified); others are
 * created on first sign-in unless SICKBAY_OIDC_AUTO_CREATE=0. With a groups claim configured,
 * the groups set the role on every sign-in.
 */
import crypto from 'node:crypto';
import * as client from 'openid-client';
import { SickbayError } from '@/lib/errors';
import { identityFromClaims, roleFromClaims } from '@/lib/auth/oidc-claims';
import type { AuthService } from './auth';
import type { OidcConfig } from './config';
import type { SignedIn } from './local';
import type { User } from './users';

export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';
const FLOW_TTL_MS = 10 * 60_000;
const MAX_FLOWS = 1000;

interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  createdAt: number;
}

export class OidcSignin {
  private configuration: Promise<client.Configuration> | null = null;
  private readonly flows = new Map<string, Flow>();

  constructor(
    private readonly auth: AuthService,
    private readonly config: OidcConfig,
  ) {}

  redirectUri(): string {
    return `${this.auth.baseUrl()}${OIDC_CALLBACK_PATH}`;
  }

  /** Discovered once; a failure is forgotten so the next sign-in tries again. */
  private discover(): Promise<client.Configuration> {
    const issuer = new URL(this.config.issuer);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
    this.configuration ??= client
      .discovery(issuer, this.config.clientId, { client_secret: this.config.clientSecret }, client.ClientSecretBasic(this.config.clientSecret), {
        // Plain http only for a provider on this machine (config.ts refuses it elsewhere).
        ...(loopback && issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
      })
      .catch((err: unknown) => {
        this.configuration = null;
        throw new SickbayError('engine_unavailable', `the OpenID provider at ${this.config.issuer} did not answer its discovery document: ${(err as Error).message}`, { cause: err });
      });
    return this.configuration;
  }

  private prune(now: number): void {
    for (const [id, flow] of this.flows) if (now - flow.createdAt > FLOW_TTL_MS) this.flows.delete(id);
    while (this.flows.size >= MAX_FLOWS) this.flows.delete(this.flows.keys().next().value as string);
  }

  /** Where to send the browser, and the flow id for its cookie. */
  async start(next: string): Promise<{ url: string; flowId: string; maxAgeSeconds: number }> {
    const configuration = await this.discover();
    const now = this.auth.clock();
    this.prune(now);
    const flow: Flow = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), next, createdAt: now };
    const flowId = crypto.randomBytes(24).toString('base64url');
    this.flows.set(flowId, flow);
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri(),
      scope: 'openid email profile',
      response_type: 'code',
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, flowId, maxAgeSeconds: FLOW_TTL_MS / 1000 };
  }

  /** The provider's redirect back: checks state, nonce and PKCE, then signs the user in. */
  async finish(query: URLSearchParams, flowId: string | null): Promise<SignedIn & { next: string }> {
    const flow = flowId ? this.flows.get(flowId) : undefined;
    if (flowId) this.flows.delete(flowId);
    if (!flow || this.auth.clock() - flow.createdAt > FLOW_TTL_MS) {
      throw new SickbayError('bad_request', 'this sign-in is unknown or took longer than 10 minutes: start again');
    }
    const error = query.get('error');
    if (error) throw new SickbayError('forbidden', `the provider refused the sign-in: ${(query.get('error_description') ?? error).slice(0, 200)}`);
    const configuration = await this.discover();
    // The redirect URI we registered, with the provider's answer: never the request's own Host.
    const current = new URL(this.redirectUri());
    for (const [k, v] of query) current.searchParams.append(k, v);
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      claims = (tokens.claims() ?? {}) as Record<string, unknown>;
    } catch (err) {
      throw new SickbayError('forbidden', `the sign-in could not be completed: ${(err as Error).message}`, { cause: err });
    }
    const user = this.userFor(claims);
    const signin = this.auth.signins.create(user.id, 'oidc');
    return { user, cookieValue: signin.cookieValue, maxAgeSeconds: signin.maxAgeSeconds, next: flow.next };
  }

  private userFor(claims: Record<string, unknown>): User {
    const { users, audit } = this.auth;
    const identity = identityFromClaims(claims);
    if (!identity.subject) throw new SickbayError('forbidden', 'the provider sent no subject');
    const issuer = this.config.issuer;
    let user = users.byOidc(issuer, identity.subject);
    if (!user && identity.email) {
      const invited = users.byEmail(identity.email);
      if (invited && !invited.oidc) {
        users.linkOidc(invited.id, issuer, identity.subject);
        user = users.require(invited.id);
      } else if (invited) {
        throw new SickbayError('forbidden', `${identity.email} is already linked to another single sign-on identity`);
      }
    }
    const mapped = roleFromClaims(claims, this.config);
    if (!user) {
      if (!this.config.autoCreate) throw new SickbayError('forbidden', 'no account for you here: ask an admin to invite your e-mail address');
      user = users.create({ email: identity.email, name: identity.name, role: mapped ?? 'learner', oidc: { issuer, subject: identity.subject } });
      audit.record(user.id, 'user.create-oidc', user.id, `${identity.email ?? identity.subject} as ${user.role}`);
    }
    if (user.disabled) throw new SickbayError('forbidden', 'this account is disabled');
    if (mapped && mapped !== user.role) {
      try {
        user = users.setRole(user.id, mapped);
        audit.record(user.id, 'user.role-oidc', user.id, `${user.email ?? identity.subject} is now ${mapped} (groups)`);
      } catch {
        /* the last admin stays an admin until another exists */
      }
    }
    if (identity.name && identity.name !== user.name) users.setName(user.id, identity.name);
    return users.require(user.id);
  }
}
