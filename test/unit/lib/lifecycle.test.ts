import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL, labelExpiry, managedFilter, sessionLabels } from '@/lib/lifecycle/labels';
import { objectName, sessionFilter } from '@/lib/lifecycle/objects';
import { canTransition, isFinal, isLive } from '@/lib/lifecycle/status';
import { decideSweep, expiredSessions, type KnownSession, type LabelledObject } from '@/lib/lifecycle/sweep';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const HOUR = 3_600_000;

function obj(id: string, labels: { session?: string; instance?: string; expires?: number }, kind: 'container' | 'network' = 'container'): LabelledObject {
  const base = sessionLabels({
    instance: labels.instance ?? 'me',
    sessionId: labels.session ?? 's1',
    scenario: 'leaky-job',
    role: kind === 'network' ? 'network' : 'service',
    service: kind === 'network' ? undefined : 'api',
    expiresAt: labels.expires ?? NOW + 10 * HOUR,
  });
  return { kind, id, labels: base };
}

describe('labels', () => {
  it('carries managed-by, instance, session, scenario, role, service and a hard expiry', () => {
    const l = sessionLabels({ instance: 'i1', sessionId: 'abc', scenario: 'leaky-job', role: 'service', service: 'api', expiresAt: NOW });
    assert.equal(l[LABEL.managedBy], 'sickbay');
    assert.equal(l[LABEL.instance], 'i1');
    assert.equal(l[LABEL.session], 'abc');
    assert.equal(l[LABEL.scenario], 'leaky-job');
    assert.equal(l[LABEL.role], 'service');
    assert.equal(l[LABEL.service], 'api');
    assert.equal(labelExpiry(l), NOW);
  });

  it('omits the service label on networks and parses a missing expiry as NaN', () => {
    const l = sessionLabels({ instance: 'i1', sessionId: 'abc', scenario: 'x', role: 'network', expiresAt: NOW });
    assert.ok(!(LABEL.service in l));
    assert.ok(Number.isNaN(labelExpiry({})));
  });

  it('builds list filters that select ours, and one session', () => {
    assert.deepEqual(managedFilter(), { label: ['sickbay.managed-by=sickbay'] });
    // Teardown, the console and the proxy select a session by session AND instance.
    assert.deepEqual(sessionFilter({ sessionId: 'abc', instance: 'i1' }), { label: ['sickbay.managed-by=sickbay', 'sickbay.session=abc', 'sickbay.instance=i1'] });
    assert.equal(objectName('abc', 'api'), 'sickbay-abc-api');
  });
});

describe('session status', () => {
  it('allows the forward path and refuses going back', () => {
    assert.ok(canTransition('creating', 'provisioning'));
    assert.ok(canTransition('provisioning', 'ready'));
    assert.ok(canTransition('ready', 'ending'));
    assert.ok(canTransition('ending', 'ended'));
    assert.ok(!canTransition('ended', 'ready'));
    assert.ok(!canTransition('ending', 'ready'), 'a session being ended cannot become ready');
    assert.ok(!canTransition('failed', 'ready'));
  });

  it('knows which statuses are live and final', () => {
    assert.deepEqual(['creating', 'provisioning', 'ready'].map((s) => isLive(s as never)), [true, true, true]);
    assert.ok(!isLive('ending'));
    assert.ok(isFinal('ended') && isFinal('failed') && !isFinal('ready'));
  });
});

describe('sweep decisions', () => {
  const live: KnownSession = { status: 'ready', expiresAt: NOW + HOUR };
  const sessions = (entries: Record<string, KnownSession>) => new Map(Object.entries(entries));

  it('keeps objects of a live session', () => {
    assert.deepEqual(decideSweep({ instance: 'me', now: NOW, objects: [obj('c1', {})], sessions: sessions({ s1: live }) }), []);
  });

  it('removes objects whose session the store does not know (a crash before the insert, or a lost store)', () => {
    const out = decideSweep({ instance: 'me', now: NOW, objects: [obj('c1', { session: 'ghost' })], sessions: sessions({}) });
    assert.equal(out.length, 1);
    assert.match(out[0]!.reason, /unknown/);
  });

  it('removes objects of ended and failed sessions', () => {
    const out = decideSweep({
      instance: 'me',
      now: NOW,
      objects: [obj('c1', { session: 'a' }), obj('n1', { session: 'b' }, 'network')],
      sessions: sessions({ a: { status: 'ended', expiresAt: NOW + HOUR }, b: { status: 'failed', expiresAt: NOW + HOUR } }),
    });
    assert.deepEqual(out.map((d) => d.object.id), ['c1', 'n1']);
  });

  it('removes objects of a session idle past its expiry, and past the hard label expiry', () => {
    const idle = decideSweep({ instance: 'me', now: NOW, objects: [obj('c1', {})], sessions: sessions({ s1: { status: 'ready', expiresAt: NOW - 1 } }) });
    assert.match(idle[0]!.reason, /idle/);
    const hard = decideSweep({ instance: 'me', now: NOW, objects: [obj('c1', { expires: NOW - 1 })], sessions: sessions({ s1: live }) });
    assert.match(hard[0]!.reason, /hard expiry/);
  });

  it('leaves sessions that are being provisioned or torn down alone', () => {
    const out = decideSweep({ instance: 'me', now: NOW, objects: [obj('c1', { session: 'new' })], sessions: sessions({}), busy: new Set(['new']) });
    assert.deepEqual(out, []);
  });

  it('leaves another instance’s objects alone until their hard expiry', () => {
    const theirs = obj('c1', { instance: 'other', session: 'x' });
    assert.deepEqual(decideSweep({ instance: 'me', now: NOW, objects: [theirs], sessions: sessions({}) }), []);
    const old = obj('c2', { instance: 'other', session: 'x', expires: NOW - 1 });
    assert.equal(decideSweep({ instance: 'me', now: NOW, objects: [old], sessions: sessions({}) }).length, 1);
  });

  it('never touches objects without our managed-by label', () => {
    const foreign: LabelledObject = { kind: 'container', id: 'z', labels: { 'sickbay.session': 's1' } };
    assert.deepEqual(decideSweep({ instance: 'me', now: NOW, objects: [foreign], sessions: sessions({}) }), []);
  });

  it('lists live sessions past their idle deadline', () => {
    const m = sessions({ a: { status: 'ready', expiresAt: NOW - 1 }, b: live, c: { status: 'ended', expiresAt: NOW - 1 } });
    assert.deepEqual(expiredSessions(m, NOW), ['a']);
  });
});
