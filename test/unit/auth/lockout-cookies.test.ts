import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT_LOCKOUT, lockedUntil } from '@/lib/auth/lockout';
import { readCookie, serializeCookie, signinCookiePolicy } from '@/lib/auth/cookies';
import { identityFromClaims, roleFromClaims } from '@/lib/auth/oidc-claims';
import { normalizeEmail, passwordProblem } from '@/lib/auth/accounts';

const MIN = 60_000;

describe('lockout', () => {
  it('locks after 5 failures within 15 minutes, for 15 minutes from the last', () => {
    const now = 100 * MIN;
    const four = [now - 4 * MIN, now - 3 * MIN, now - 2 * MIN, now - MIN];
    assert.equal(lockedUntil(four, now, ACCOUNT_LOCKOUT), null);
    assert.equal(lockedUntil([...four, now], now, ACCOUNT_LOCKOUT), now + 15 * MIN);
    assert.equal(lockedUntil([...four, now], now + 15 * MIN, ACCOUNT_LOCKOUT), null, 'over after 15 minutes');
  });

  it('forgets failures older than the window', () => {
    const now = 100 * MIN;
    assert.equal(lockedUntil([now - 20 * MIN, now - 19 * MIN, now - 3 * MIN, now - 2 * MIN, now - MIN], now, ACCOUNT_LOCKOUT), null);
  });
});

describe('cookies', () => {
  it('is __Host- and Secure over https, plain over http; always HttpOnly and SameSite=Lax', () => {
    const https = signinCookiePolicy('https://lab.example.com');
    assert.deepEqual(https, { name: '__Host-sickbay', secure: true });
    assert.equal(serializeCookie(https, 'v', 60), '__Host-sickbay=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure');
    const http = signinCookiePolicy(null);
    assert.equal(serializeCookie(http, 'v', 60), 'sickbay=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60');
    assert.equal(signinCookiePolicy('http://lab.test').secure, false);
  });

  it('reads one cookie from a header', () => {
    assert.equal(readCookie('a=1; sickbay=abc.def; b=2', 'sickbay'), 'abc.def');
    assert.equal(readCookie('sickbay-oidc=x', 'sickbay'), null);
    assert.equal(readCookie(undefined, 'sickbay'), null);
  });
});

describe('OpenID claims', () => {
  const mapping = { groupsClaim: 'groups', adminGroups: ['ops-admins'], facilitatorGroups: ['trainers'] };
  it('maps groups to a role on each sign-in; no claim configured keeps the stored role', () => {
    assert.equal(roleFromClaims({ groups: ['trainers', 'ops-admins'] }, mapping), 'admin');
    assert.equal(roleFromClaims({ groups: ['trainers'] }, mapping), 'facilitator');
    assert.equal(roleFromClaims({ groups: [] }, mapping), 'learner');
    assert.equal(roleFromClaims({}, mapping), 'learner');
    assert.equal(roleFromClaims({ groups: 'trainers other' }, mapping), 'facilitator');
    assert.equal(roleFromClaims({ groups: ['ops-admins'] }, { ...mapping, groupsClaim: null }), null);
  });

  it('trusts only a verified e-mail', () => {
    assert.equal(identityFromClaims({ sub: 'u1', email: 'A@X.io', email_verified: true }).email, 'a@x.io');
    assert.equal(identityFromClaims({ sub: 'u1', email: 'a@x.io', email_verified: false }).email, null);
    assert.equal(identityFromClaims({ sub: 'u1', name: 'Ann' }).name, 'Ann');
  });
});

describe('account input', () => {
  it('normalises e-mail addresses and refuses what is not one', () => {
    assert.equal(normalizeEmail('  Ann@Example.COM '), 'ann@example.com');
    assert.throws(() => normalizeEmail('ann'), /not an e-mail/);
    assert.throws(() => normalizeEmail('a b@c'), /not an e-mail/);
  });

  it('asks for length, not composition', () => {
    assert.match(passwordProblem('short') ?? '', /at least 10/);
    assert.equal(passwordProblem('correct horse battery'), null);
  });
});
