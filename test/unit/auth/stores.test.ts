/**
 * The account stores on a real SQLite file: argon2id hashes, sign-ins (idle and absolute
 * expiry, revocation), API tokens (shown once, hashed, scoped, revocable), single-use links,
 * lockout, cohorts' watch links, the append-only audit log, the first-admin rule and the
 * last-admin guard.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { Store } from '@/server/store/store';
import { AuthService } from '@/server/auth/auth';
import { loadAuthConfig } from '@/server/auth/config';
import { createAccount, createFirstAdmin, setPasswordWithLink, signInWithPassword } from '@/server/auth/local';
import { hashPassword, verifyPassword } from '@/server/auth/passwords';
import { SIGNIN_IDLE_MS } from '@/server/auth/signins';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-auth-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

let now = Date.parse('2026-12-01T10:00:00Z');
let store: Store;
let auth: AuthService;
const clock = () => now;

beforeEach(() => {
  store = new Store(fs.mkdtempSync(path.join(root, 'data-')));
  auth = new AuthService({ db: store.db, config: loadAuthConfig({}), publicUrl: null, clock });
  auth.listening(3000);
});

async function admin(email = 'ada@example.com', password = 'correct horse battery') {
  const { user } = await createAccount(auth, 'local', { email, role: 'admin', password });
  return user;
}

describe('passwords', () => {
  it('hashes with argon2id and verifies', async () => {
    const hash = await hashPassword('correct horse battery');
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(hash, 'correct horse battery'), true);
    assert.equal(await verifyPassword(hash, 'wrong horse battery'), false);
    assert.equal(await verifyPassword(null, 'anything'), false);
  });
});

describe('accounts', () => {
  it('is personal mode until the first account, which must be an admin; team mode after', async () => {
    assert.equal(auth.teamMode(), false);
    assert.equal(auth.authenticate({}).principal?.user.id, 'local');
    await assert.rejects(createAccount(auth, 'local', { email: 'lea@example.com', role: 'learner' }), /first account must be an admin/);
    await admin();
    assert.equal(auth.teamMode(), true);
    assert.equal(auth.authenticate({}).principal, null);
  });

  it('keeps the last enabled admin', async () => {
    const ada = await admin();
    assert.throws(() => auth.users.setRole(ada.id, 'learner'), /last admin/);
    assert.throws(() => auth.users.setDisabled(ada.id, true), /last admin/);
    const { user: bea } = await createAccount(auth, ada.id, { email: 'bea@example.com', role: 'admin', password: 'another long one' });
    auth.users.setDisabled(ada.id, true);
    assert.equal(auth.users.countEnabledAdmins(), 1);
    assert.throws(() => auth.users.setDisabled(bea.id, true), /last admin/);
  });
});

describe('the user list', () => {
  it("holds the accounts an admin manages, not interview candidates' owner-only accounts", async () => {
    const ada = await admin();
    await createAccount(auth, 'local', { email: 'bo@example.com', role: 'learner', password: 'correct horse battery' });
    const { interview } = auth.interviews.create({ scenario: 'leaky-job', seed: 's1', candidateName: 'Cy', timeLimitMin: 30, hints: false }, ada.id);
    assert.ok(store.db.prepare('SELECT 1 FROM users WHERE id = ?').get(interview.candidateId), 'the candidate account exists');
    assert.deepEqual(auth.users.list().map((u) => u.email), ['ada@example.com', 'bo@example.com']);
  });
});

describe('sign-in', () => {
  it('signs in with the right password, refuses a wrong one alike for unknown accounts', async () => {
    await admin();
    const ok = await signInWithPassword(auth, { email: 'ADA@example.com', password: 'correct horse battery', address: '10.0.0.1' });
    const who = auth.authenticate({ cookie: `sickbay=${ok.cookieValue}` });
    assert.equal(who.principal?.user.email, 'ada@example.com');
    assert.equal(who.principal?.via, 'cookie');
    await assert.rejects(signInWithPassword(auth, { email: 'ada@example.com', password: 'nope nope nope', address: '10.0.0.1' }), /wrong e-mail or password/);
    await assert.rejects(signInWithPassword(auth, { email: 'nobody@example.com', password: 'nope nope nope', address: '10.0.0.1' }), /wrong e-mail or password/);
    assert.equal(auth.authenticate({ cookie: `sickbay=${ok.cookieValue.slice(0, -2)}xx` }).principal, null, 'a tampered secret');
  });

  it('locks an account after 5 failures, even for the right password, for 15 minutes', async () => {
    await admin();
    for (let i = 0; i < 5; i++) {
      await assert.rejects(signInWithPassword(auth, { email: 'ada@example.com', password: `wrong-${i}-password`, address: `10.0.0.${i}` }), /wrong/);
    }
    await assert.rejects(signInWithPassword(auth, { email: 'ada@example.com', password: 'correct horse battery', address: '10.0.0.9' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'too_many_requests');
      assert.match(err.message, /try again in 15 min/);
      return true;
    });
    now += 15 * 60_000;
    await signInWithPassword(auth, { email: 'ada@example.com', password: 'correct horse battery', address: '10.0.0.9' });
  });

  it('blocks an address after 20 failures over any accounts', async () => {
    await admin();
    for (let i = 0; i < 20; i++) {
      await assert.rejects(signInWithPassword(auth, { email: `user${i}@example.com`, password: 'wrong password!', address: '10.9.9.9' }), /wrong/);
    }
    await assert.rejects(signInWithPassword(auth, { email: 'ada@example.com', password: 'correct horse battery', address: '10.9.9.9' }), /from your address/);
    await signInWithPassword(auth, { email: 'ada@example.com', password: 'correct horse battery', address: '10.1.1.1' });
  });

  it('ends a sign-in after 12 idle hours, at sign-out everywhere, and for a disabled account', async () => {
    const ada = await admin();
    const a = await signInWithPassword(auth, { email: 'ada@example.com', password: 'correct horse battery', address: 'x' });
    now += SIGNIN_IDLE_MS - 1000;
    assert.ok(auth.authenticate({ cookie: `sickbay=${a.cookieValue}` }).principal, 'still there just before');
    now += SIGNIN_IDLE_MS - 1000;
    assert.ok(auth.authenticate({ cookie: `sickbay=${a.cookieValue}` }).principal, 'each request counts');
    now += SIGNIN_IDLE_MS;
    assert.equal(auth.authenticate({ cookie: `sickbay=${a.cookieValue}` }).principal, null, 'idle too long');

    const b = await signInWithPassword(auth, { email: 'ada@example.com', password: 'correct horse battery', address: 'x' });
    const c = await signInWithPassword(auth, { email: 'ada@example.com', password: 'correct horse battery', address: 'x' });
    assert.equal(auth.signins.revokeAllOf(ada.id), 2);
    for (const s of [b, c]) assert.equal(auth.authenticate({ cookie: `sickbay=${s.cookieValue}` }).principal, null);

    const { user: bea } = await createAccount(auth, ada.id, { email: 'bea@example.com', role: 'learner', password: 'bea password 1' });
    const d = await signInWithPassword(auth, { email: 'bea@example.com', password: 'bea password 1', address: 'x' });
    auth.users.setDisabled(bea.id, true);
    assert.equal(auth.authenticate({ cookie: `sickbay=${d.cookieValue}` }).principal, null, 'disabled');
    await assert.rejects(signInWithPassword(auth, { email: 'bea@example.com', password: 'bea password 1', address: 'x' }), /wrong/);
  });
});

describe('links', () => {
  it('an invite link sets the password once, ends old sign-ins and signs in', async () => {
    const ada = await admin();
    const { user, link } = await createAccount(auth, ada.id, { email: 'lea@example.com', role: 'learner' });
    assert.ok(link?.startsWith('http://127.0.0.1:3000/auth/set-password?token='));
    const token = new URL(link as string).searchParams.get('token') as string;
    assert.equal(auth.links.peek(token).userId, user.id);
    const signed = await setPasswordWithLink(auth, { token, password: 'lea password 1' });
    assert.equal(auth.authenticate({ cookie: `sickbay=${signed.cookieValue}` }).principal?.user.id, user.id);
    await assert.rejects(setPasswordWithLink(auth, { token, password: 'lea password 2' }), /unknown, used or expired/);
    await signInWithPassword(auth, { email: 'lea@example.com', password: 'lea password 1', address: 'x' });
  });

  it('expires, and a newer link voids the older one', async () => {
    const ada = await admin();
    const { user, link } = await createAccount(auth, ada.id, { email: 'lea@example.com', role: 'learner' });
    const first = new URL(link as string).searchParams.get('token') as string;
    const second = auth.links.create(user.id, 'reset', ada.id).token;
    await assert.rejects(setPasswordWithLink(auth, { token: first, password: 'lea password 1' }), /unknown, used or expired/);
    now += 25 * 3600_000;
    await assert.rejects(setPasswordWithLink(auth, { token: second, password: 'lea password 1' }), /unknown, used or expired/);
  });
});

describe('first admin', () => {
  it('needs the setup code in team mode, and only while no admin exists', async () => {
    const team = new AuthService({ db: store.db, config: loadAuthConfig({}), publicUrl: { origin: 'https://lab.example.com', host: 'lab.example.com' }, clock });
    const code = team.setupCode() as string;
    assert.match(code, /^[A-Z2-9]{10}$/);
    await assert.rejects(createFirstAdmin(team, { code: 'WRONGCODE1', email: 'ada@example.com', password: 'correct horse battery' }), /wrong setup code/);
    const signed = await createFirstAdmin(team, { code: code.toLowerCase(), email: 'ada@example.com', password: 'correct horse battery' });
    assert.equal(signed.user.role, 'admin');
    assert.equal(team.setupCode(), null);
    await assert.rejects(createFirstAdmin(team, { code, email: 'eve@example.com', password: 'correct horse battery' }), /has an admin already/);
    assert.equal(team.audit.list()[0]?.action, 'user.create-first-admin');
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, scoped within the role, and revocable', async () => {
    const ada = await admin();
    const { user: lea } = await createAccount(auth, ada.id, { email: 'lea@example.com', role: 'learner', password: 'lea password 1' });
    assert.throws(() => auth.tokens.create(lea, 'x', ['admin']), /a learner cannot hand out admin/);
    const { token, info } = auth.tokens.create(lea, 'ci', ['sessions:read']);
    assert.match(token, /^sbt_[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);
    const stored = store.db.prepare('SELECT secret_hash FROM api_tokens WHERE id = ?').get(info.id) as { secret_hash: string };
    assert.equal(stored.secret_hash.length, 64);
    assert.equal(JSON.stringify(store.db.prepare('SELECT * FROM api_tokens').all()).includes(token.split('.')[1] as string), false, 'the secret is not stored');
    const who = auth.authenticate({ authorization: `Bearer ${token}` });
    assert.equal(who.principal?.user.id, lea.id);
    assert.deepEqual(who.principal?.scopes, ['sessions:read']);
    assert.deepEqual(auth.authenticate({ authorization: 'Bearer sbt_0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), { principal: null, problem: 'bad-token' });
    assert.throws(() => auth.tokens.revoke(ada.id, info.id), /no token/, "not someone else's");
    auth.tokens.revoke(lea.id, info.id);
    assert.equal(auth.authenticate({ authorization: `Bearer ${token}` }).principal, null);
  });
});

describe('cohorts and the audit log', () => {
  it('tie a cohort facilitator to its learners only', async () => {
    const ada = await admin();
    const mk = async (email: string, role: 'facilitator' | 'learner') => (await createAccount(auth, ada.id, { email, role, password: 'a long password' })).user;
    const fay = await mk('fay@example.com', 'facilitator');
    const lea = await mk('lea@example.com', 'learner');
    await mk('bob@example.com', 'learner');
    const cohort = auth.cohorts.create('week 1', fay.id);
    auth.cohorts.setMember(cohort.id, lea.id, 'learner');
    assert.deepEqual(auth.watchLinks.of(fay.id), [{ via: 'cohort', ref: cohort.id, watcherId: fay.id, learnerId: lea.id }]);
    assert.deepEqual(auth.watchLinks.of(lea.id), []);
    auth.cohorts.removeMember(cohort.id, lea.id);
    assert.deepEqual(auth.watchLinks.of(fay.id), []);
  });

  it('keeps the admin audit log append-only', async () => {
    await admin();
    assert.ok(auth.audit.list().length > 0);
    assert.throws(() => store.db.prepare('DELETE FROM admin_audit').run(), /append-only/);
    assert.throws(() => store.db.prepare(`UPDATE admin_audit SET action = 'x'`).run(), /append-only/);
  });
});
