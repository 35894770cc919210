/**
 * Interviews on a real SQLite file: the candidate account nobody signs in as, the single-use
 * link bound to the first browser, the candidate cookie as a principal confined to its
 * interview, and the interviewers' watch links to that one session.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { Store } from '@/server/store/store';
import { AuthService } from '@/server/auth/auth';
import { loadAuthConfig } from '@/server/auth/config';
import { createAccount } from '@/server/auth/local';
import { INTERVIEW_LINK_TTL_MS } from '@/lib/interviews/rules';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-interviews-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

let now = Date.parse('2026-12-01T10:00:00Z');
let auth: AuthService;
const clock = () => now;

beforeEach(async () => {
  const store = new Store(fs.mkdtempSync(path.join(root, 'data-')));
  auth = new AuthService({ db: store.db, config: loadAuthConfig({}), publicUrl: null, clock });
  await createAccount(auth, 'local', { email: 'ada@example.com', role: 'admin', password: 'correct horse battery' });
});

const setup = { scenario: 'leaky-job', seed: 's1', candidateName: 'Cora', timeLimitMin: 45, hints: false };
const cookieHeader = (value: string) => `${auth.candidateCookie.name}=${value}`;

describe('interviews', () => {
  it('creates the candidate as an account without e-mail or password, and the creator watches', async () => {
    const { user: fay } = await createAccount(auth, 'local', { email: 'fay@example.com', role: 'facilitator', password: 'correct horse battery' });
    const { interview, token } = auth.interviews.create(setup, fay.id);
    const candidate = auth.users.get(interview.candidateId);
    assert.equal(candidate?.email, null);
    assert.equal(candidate?.hasPassword, false);
    assert.equal(candidate?.role, 'learner');
    assert.deepEqual(interview.watchers.map((w) => w.email), ['fay@example.com']);
    assert.equal(interview.linkExpiresAt, new Date(now + INTERVIEW_LINK_TTL_MS).toISOString());
    assert.match(token, /^[0-9a-f]{16}\./);
    assert.equal(auth.interviews.list(fay.id).length, 1);
    assert.equal(auth.interviews.list('someone-else').length, 0);
    assert.equal(auth.interviews.list(null).length, 1);
  });

  it('is overdue once its time limit has passed since the candidate opened the link', () => {
    const { interview } = auth.interviews.create({ ...setup, timeLimitMin: 30 }, 'local');
    assert.deepEqual(auth.interviews.overdue(), [], 'not opened yet: no clock runs');
    now += 60 * 60_000;
    auth.interviews.claim(interview.id);
    auth.interviews.setSession(interview.id, 'aaaaaaaaaaaa');
    now += 29 * 60_000;
    assert.deepEqual(auth.interviews.overdue(), []);
    now += 60_000;
    assert.deepEqual(auth.interviews.overdue(), [{ interviewId: interview.id, sessionId: 'aaaaaaaaaaaa' }]);
  });

  it('binds the link to the first browser; that browser comes back, another is refused', () => {
    const { interview, token } = auth.interviews.create(setup, 'local');
    // One character changed (the last one is 'A' one time in 64: then 'B').
    assert.equal(auth.interviews.linkState(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, null).state.kind, 'unknown');
    assert.equal(auth.interviews.linkState(token, null).state.kind, 'open');
    const cookie = auth.interviews.claim(interview.id);
    assert.throws(() => auth.interviews.claim(interview.id), /already opened in another browser/);
    assert.equal(auth.interviews.linkState(token, cookie).state.kind, 'mine');
    assert.equal(auth.interviews.linkState(token, null).state.kind, 'taken');
    assert.equal(auth.interviews.linkState(token, `${interview.id}.${'A'.repeat(43)}`).state.kind, 'taken');
    now += INTERVIEW_LINK_TTL_MS * 2;
    assert.equal(auth.interviews.linkState(token, cookie).state.kind, 'mine', 'an opened link stays with its browser');
  });

  it('an unopened link expires after a day', () => {
    const { token } = auth.interviews.create(setup, 'local');
    now += INTERVIEW_LINK_TTL_MS;
    assert.equal(auth.interviews.linkState(token, null).state.kind, 'expired');
  });

  it('the candidate cookie authenticates as the candidate, scoped to the interview', () => {
    const { interview } = auth.interviews.create({ ...setup, hints: true }, 'local');
    const cookie = auth.interviews.claim(interview.id);
    auth.interviews.setSession(interview.id, 'abc123def456');
    const found = auth.authenticate({ cookie: cookieHeader(cookie) });
    assert.ok(found.principal);
    assert.equal(found.principal.via, 'interview');
    assert.equal(found.principal.user.id, interview.candidateId);
    assert.deepEqual(found.principal.candidate, { interviewId: interview.id, sessionId: 'abc123def456', hints: true });
    assert.equal(auth.authenticate({ cookie: cookieHeader(`${interview.id}.${'A'.repeat(43)}`) }).principal, null);
  });

  it('interviewers watch the candidate’s one session once it exists', async () => {
    const { user: fay } = await createAccount(auth, 'local', { email: 'fay@example.com', role: 'facilitator', password: 'correct horse battery' });
    const { user: finn } = await createAccount(auth, 'local', { email: 'finn@example.com', role: 'facilitator', password: 'correct horse battery' });
    const { interview } = auth.interviews.create(setup, fay.id);
    assert.deepEqual(auth.watchLinks.of(fay.id), [], 'no session yet, nothing to watch');
    auth.interviews.claim(interview.id);
    auth.interviews.setSession(interview.id, 'abc123def456');
    auth.interviews.addWatcher(interview.id, finn.id);
    const expected = (watcherId: string) => [{ via: 'interview', ref: interview.id, watcherId, learnerId: interview.candidateId, sessionId: 'abc123def456' }];
    assert.deepEqual(auth.watchLinks.of(fay.id), expected(fay.id));
    assert.deepEqual(auth.watchLinks.of(finn.id), expected(finn.id));
  });

  it('a claim whose session could not start is undone, so the link works again', () => {
    const { interview, token } = auth.interviews.create(setup, 'local');
    auth.interviews.claim(interview.id);
    auth.interviews.unclaim(interview.id);
    assert.equal(auth.interviews.linkState(token, null).state.kind, 'open');
  });
});
