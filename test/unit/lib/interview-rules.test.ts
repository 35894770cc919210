import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mayWatch, sessionAccess, type WatchLink } from '@/lib/auth/access';
import { candidateLink, candidateMayReach, linkRefusal, linkState, secondsLeft } from '@/lib/interviews/rules';
import { isPublicPath, tokenScopeFor } from '@/lib/auth/paths';

const started = { interviewId: 'i1', sessionId: 'abc123def456', hints: false };
const withHints = { ...started, hints: true };
const notYet = { ...started, sessionId: null };

describe('where the candidate’s browser may go', () => {
  it('reaches the candidate page, static files and its session’s learner routes', () => {
    for (const [method, path] of [
      ['GET', '/interview'],
      ['GET', '/interview/join'],
      ['POST', '/api/interviews/join'],
      ['GET', '/_next/static/chunks/app.js'],
      ['GET', '/api/sessions/abc123def456'],
      ['DELETE', '/api/sessions/abc123def456'],
      ['POST', '/api/sessions/abc123def456/check'],
      ['POST', '/api/sessions/abc123def456/diagnosis'],
      ['POST', '/api/sessions/abc123def456/update'],
      ['GET', '/ws/terminal/abc123def456'],
    ] as const) {
      assert.equal(candidateMayReach(started, method, path), true, `${method} ${path}`);
    }
  });

  it('reads its own session’s event log (the server filters it to the candidate’s own steps)', () => {
    assert.equal(candidateMayReach(started, 'GET', '/api/sessions/abc123def456/events'), true);
    assert.equal(candidateMayReach(started, 'POST', '/api/sessions/abc123def456/events'), false);
    assert.equal(candidateMayReach(started, 'GET', '/api/sessions/000000000000/events'), false);
  });

  it('never reaches the report, recording, mirror, other sessions or any other page', () => {
    for (const [method, path] of [
      ['GET', '/api/sessions/abc123def456/report'],
      ['GET', '/api/sessions/abc123def456/recording'],
      ['GET', '/api/sessions/abc123def456/mirror'],
      ['GET', '/ws/terminal/abc123def456/mirror'],
      ['GET', '/api/sessions/000000000000'],
      ['GET', '/ws/terminal/000000000000'],
      ['GET', '/api/sessions'],
      ['POST', '/api/sessions'],
      ['GET', '/api/interviews'],
      ['GET', '/api/me'],
      ['GET', '/sessions/abc123def456'],
      ['GET', '/sessions/abc123def456/report'],
      ['GET', '/'],
      ['POST', '/interview'],
      ['GET', '/api/sessions/abc123def456/check'],
    ] as const) {
      assert.equal(candidateMayReach(started, method, path), false, `${method} ${path}`);
    }
  });

  it('hints only when the interview allows them', () => {
    assert.equal(candidateMayReach(started, 'POST', '/api/sessions/abc123def456/hints'), false);
    assert.equal(candidateMayReach(started, 'GET', '/api/sessions/abc123def456/hints'), false);
    assert.equal(candidateMayReach(withHints, 'POST', '/api/sessions/abc123def456/hints'), true);
    assert.equal(candidateMayReach(withHints, 'GET', '/api/sessions/abc123def456/hints'), true);
  });

  it('before the link is opened there is no session to reach', () => {
    assert.equal(candidateMayReach(notYet, 'GET', '/interview'), true);
    assert.equal(candidateMayReach(notYet, 'GET', '/api/sessions/abc123def456'), false);
  });

  it('the join page and route are reachable signed out; only a browser may use the join route', () => {
    assert.equal(isPublicPath('/interview/join'), true);
    assert.equal(isPublicPath('/api/interviews/join'), true);
    assert.equal(isPublicPath('/interview'), false);
    assert.equal(tokenScopeFor('POST', '/api/interviews/join'), 'browser');
    assert.equal(tokenScopeFor('POST', '/api/interviews'), 'cohorts');
    assert.equal(tokenScopeFor('GET', '/api/interviews'), 'sessions:read');
  });
});

describe('opening a candidate link', () => {
  const base = { found: true, secretOk: true, claimed: false, thisBrowser: false, expiresAt: 1000, now: 500 };

  it('the first browser may take it; the same browser again is let back in; another is refused', () => {
    assert.deepEqual(linkState(base), { kind: 'open' });
    assert.deepEqual(linkState({ ...base, claimed: true, thisBrowser: true }), { kind: 'mine' });
    assert.deepEqual(linkState({ ...base, claimed: true }), { kind: 'taken' });
    assert.match(linkRefusal({ kind: 'taken' }) ?? '', /already opened in another browser/);
    assert.equal(linkRefusal({ kind: 'open' }), null);
  });

  it('a wrong secret is unknown, and an unopened link expires; an opened one stays with its browser', () => {
    assert.deepEqual(linkState({ ...base, secretOk: false }), { kind: 'unknown' });
    assert.deepEqual(linkState({ ...base, found: false }), { kind: 'unknown' });
    assert.deepEqual(linkState({ ...base, now: 1000 }), { kind: 'expired' });
    assert.deepEqual(linkState({ ...base, now: 5000, claimed: true, thisBrowser: true }), { kind: 'mine' });
    assert.match(linkRefusal({ kind: 'expired' }) ?? '', /expired/);
  });

  it('builds the link on the join page', () => {
    assert.equal(candidateLink('https://lab.example.com', 'abc.d+f'), 'https://lab.example.com/interview/join?token=abc.d%2Bf');
  });
});

describe('the countdown', () => {
  it('counts the time limit down from the start and stops at zero', () => {
    assert.equal(secondsLeft(0, 45, 0), 2700);
    assert.equal(secondsLeft(0, 45, 2_699_001), 1);
    assert.equal(secondsLeft(0, 45, 9_999_999), 0);
  });
});

describe('interview watch links', () => {
  const link: WatchLink = { via: 'interview', ref: 'i1', watcherId: 'fay', learnerId: 'cand', sessionId: 's1' };
  const fay = { id: 'fay', role: 'facilitator' as const };

  it('admit the interviewer to that one session of the candidate, to watch but never to work', () => {
    assert.equal(mayWatch(fay, { id: 's1', ownerId: 'cand' }, [link]), true);
    assert.equal(mayWatch(fay, { id: 's2', ownerId: 'cand' }, [link]), false);
    assert.equal(sessionAccess(fay, { id: 's1', ownerId: 'cand' }, 'watch', [link]), 'allow');
    assert.equal(sessionAccess(fay, { id: 's1', ownerId: 'cand' }, 'work', [link]), 'forbidden');
    assert.equal(mayWatch({ id: 'fay', role: 'learner' }, { id: 's1', ownerId: 'cand' }, [link]), false, 'a demoted interviewer stops watching');
  });
});
