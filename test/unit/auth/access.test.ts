import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mayWatch, sessionAccess, type WatchLink } from '@/lib/auth/access';
import { principalHas, PERSONAL_PRINCIPAL, roleAllows, type Principal } from '@/lib/auth/roles';
import { isPublicPath, safeReturnPath, tokenScopeFor } from '@/lib/auth/paths';
import { bindProblem, isLoopbackHost, isTeamMode } from '@/lib/auth/mode';

const ann = { id: 'ann', role: 'learner' as const };
const bob = { id: 'bob', role: 'learner' as const };
const fay = { id: 'fay', role: 'facilitator' as const };
const ada = { id: 'ada', role: 'admin' as const };
const annSession = { id: 's1', ownerId: 'ann' };
const cohort: WatchLink = { via: 'cohort', ref: 'c1', watcherId: 'fay', learnerId: 'ann' };

describe('may watch', () => {
  it('admins watch everyone; a facilitator only through a link to that learner', () => {
    assert.equal(mayWatch(ada, annSession, []), true);
    assert.equal(mayWatch(fay, annSession, []), false);
    assert.equal(mayWatch(fay, annSession, [cohort]), true);
    assert.equal(mayWatch(fay, { id: 's2', ownerId: 'bob' }, [cohort]), false, 'the link names ann, not bob');
    assert.equal(mayWatch(bob, annSession, [{ ...cohort, watcherId: 'bob' }]), false, 'a learner never watches through a cohort');
    assert.equal(mayWatch({ id: 'fay', role: 'learner' }, annSession, [cohort]), false, 'a demoted facilitator loses the cohort');
  });

  it('a drill link: a teammate of any role watches their team’s one session; a facilitator only while one', () => {
    const teammate: WatchLink = { via: 'drill', as: 'teammate', ref: 'd1', watcherId: 'bob', learnerId: 'ann', sessionId: 's1' };
    assert.equal(mayWatch(bob, annSession, [teammate]), true);
    assert.equal(mayWatch(bob, { id: 's9', ownerId: 'ann' }, [teammate]), false, 'another session of the same owner is not the team’s');
    assert.equal(sessionAccess(bob, annSession, 'work', [teammate]), 'forbidden');
    const facilitator: WatchLink = { ...teammate, as: 'facilitator', watcherId: 'fay' };
    assert.equal(mayWatch(fay, annSession, [facilitator]), true);
    assert.equal(mayWatch({ id: 'fay', role: 'learner' }, annSession, [facilitator]), false, 'a demoted facilitator stops watching the drill');
  });

  it('a link for one session covers that session only', () => {
    const one: WatchLink = { ...cohort, sessionId: 's1' };
    assert.equal(mayWatch(fay, annSession, [one]), true);
    assert.equal(mayWatch(fay, { id: 's9', ownerId: 'ann' }, [one]), false);
  });
});

describe('session access', () => {
  it('hides a session from anyone who neither owns nor watches it', () => {
    for (const action of ['view', 'watch', 'work', 'end'] as const) assert.equal(sessionAccess(bob, annSession, action, []), 'hidden');
    assert.equal(sessionAccess(fay, annSession, 'view', []), 'hidden');
  });

  it('the owner views, works and ends, but opens no mirror of their own terminal', () => {
    assert.equal(sessionAccess(ann, annSession, 'view', []), 'allow');
    assert.equal(sessionAccess(ann, annSession, 'work', []), 'allow');
    assert.equal(sessionAccess(ann, annSession, 'end', []), 'allow');
    assert.equal(sessionAccess(ann, annSession, 'watch', []), 'forbidden');
  });

  it('a watcher views and watches but never works in it; only an admin ends it', () => {
    assert.equal(sessionAccess(fay, annSession, 'view', [cohort]), 'allow');
    assert.equal(sessionAccess(fay, annSession, 'watch', [cohort]), 'allow');
    assert.equal(sessionAccess(fay, annSession, 'work', [cohort]), 'forbidden');
    assert.equal(sessionAccess(fay, annSession, 'end', [cohort]), 'forbidden');
    assert.equal(sessionAccess(ada, annSession, 'end', []), 'allow');
    assert.equal(sessionAccess(ada, annSession, 'work', []), 'forbidden');
  });
});

describe('roles and token scopes', () => {
  it('a token never exceeds its role', () => {
    assert.equal(roleAllows('learner', 'admin'), false);
    assert.equal(roleAllows('facilitator', 'cohorts'), true);
    const token = (role: 'learner' | 'admin', scopes: Principal['scopes']): Principal => ({ user: { id: 'x', email: null, name: '', role }, via: 'token', scopes, signinId: null });
    assert.equal(principalHas(token('learner', ['admin']), 'admin'), false);
    assert.equal(principalHas(token('admin', ['sessions:read']), 'admin'), false);
    assert.equal(principalHas(token('admin', ['admin']), 'admin'), true);
    assert.equal(principalHas(PERSONAL_PRINCIPAL, 'admin'), true);
  });

  it('maps paths to the scope a token needs', () => {
    assert.equal(tokenScopeFor('GET', '/api/sessions'), 'sessions:read');
    assert.equal(tokenScopeFor('POST', '/api/sessions'), 'sessions:write');
    assert.equal(tokenScopeFor('DELETE', '/api/sessions/abc'), 'sessions:write');
    assert.equal(tokenScopeFor('GET', '/api/admin/users'), 'admin');
    assert.equal(tokenScopeFor('POST', '/api/cohorts'), 'cohorts');
    assert.equal(tokenScopeFor('POST', '/api/me/tokens'), 'browser');
    assert.equal(tokenScopeFor('POST', '/api/auth/signout'), 'browser');
    assert.equal(tokenScopeFor('GET', '/sessions'), 'browser');
    assert.equal(tokenScopeFor('GET', '/ws/terminal/abc'), 'sessions:write');
    assert.equal(tokenScopeFor('GET', '/ws/terminal/abc/mirror'), 'sessions:read');
    assert.equal(tokenScopeFor('POST', '/api/drills'), 'cohorts');
    assert.equal(tokenScopeFor('POST', '/api/drills/abc/start'), 'cohorts');
    assert.equal(tokenScopeFor('GET', '/api/drills/abc/debrief'), 'sessions:read');
    assert.equal(tokenScopeFor('POST', '/api/drills/join'), 'sessions:write', 'joining is a participant’s write');
  });

  it('public paths are the sign-in pages, their API and static files only', () => {
    for (const p of ['/signin', '/setup', '/auth/set-password', '/api/auth/signin', '/_next/static/chunks/a.js', '/icon.svg']) assert.equal(isPublicPath(p), true, p);
    for (const p of ['/', '/sessions', '/admin', '/api/sessions', '/api/me', '/_next/image', '/signin/x', '/api/authx']) assert.equal(isPublicPath(p), false, p);
  });

  it('returns only to a path on this server', () => {
    assert.equal(safeReturnPath('/sessions/abc'), '/sessions/abc');
    for (const bad of ['//evil.example/', 'https://evil.example', '/\\evil.example', '', null, 'sessions', '/api/sessions', '/signin?next=/']) assert.equal(safeReturnPath(bad), '/', String(bad));
  });
});

describe('mode', () => {
  it('is team mode with a public URL or any account', () => {
    assert.equal(isTeamMode({ publicUrl: null, hasAccounts: false }), false);
    assert.equal(isTeamMode({ publicUrl: { origin: 'https://x', host: 'x' }, hasAccounts: false }), true);
    assert.equal(isTeamMode({ publicUrl: null, hasAccounts: true }), true);
  });

  it('refuses a non-loopback bind without team mode, and says why', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) {
      assert.equal(isLoopbackHost(host), true, host);
      assert.equal(bindProblem({ host, teamMode: false }), null);
    }
    assert.match(bindProblem({ host: '0.0.0.0', teamMode: false }) ?? '', /refusing to listen on 0\.0\.0\.0.*SICKBAY_PUBLIC_URL/);
    assert.equal(bindProblem({ host: '0.0.0.0', teamMode: true }), null);
    assert.equal(isLoopbackHost('127.0.0.1.evil.example'), false);
  });
});
