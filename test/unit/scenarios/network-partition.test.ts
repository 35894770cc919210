import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { learnerActions } from '@/lib/scenario/actions';
import { createRng } from '@/lib/scenario/rng';
import scenario, { assessRules, blockRuleArgs, DEPENDENCIES, DIAGNOSIS_CATEGORIES, drawParams, MECHANISMS, STANDING_RULES, testsFromApi } from '@/scenarios/network-partition/scenario';
import { Log } from '../scoring/helpers';

const STANDING = [
  '-A OUTPUT -d 169.254.169.254/32 -m comment --comment "no cloud metadata from app containers" -j DROP',
  '-A OUTPUT -p tcp -m tcp --dport 25 -m comment --comment "no direct SMTP from app containers" -j REJECT --reject-with icmp-port-unreachable',
];
const BLOCK = '-A OUTPUT -d 192.168.112.2/32 -p tcp -m tcp --dport 7287 -m comment --comment "OPS-1234 temporary block during cutover" -j DROP';

describe('network-partition params', () => {
  it('are deterministic per seed, with three distinct upstream ports and an API port in range', () => {
    for (let i = 0; i < 200; i++) {
      const p = drawParams(createRng(`seed-${i}`));
      assert.deepEqual(p, drawParams(createRng(`seed-${i}`)));
      const ports = Object.values(p.ports);
      assert.equal(new Set(ports).size, 3, `seed-${i}: ports ${ports.join(',')}`);
      assert.ok(ports.every((x) => x >= 7000 && x <= 7999));
      assert.ok(p.apiPort >= 8000 && p.apiPort <= 8999);
      assert.ok(p.truth.includes(p.dependency));
    }
  });

  it('cover every dependency and every mechanism across seeds', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = drawParams(createRng(`seed-${i}`));
      seen.add(p.dependency);
      seen.add(p.mechanism);
      seen.add(p.rule.match);
    }
    for (const x of [...DEPENDENCIES, ...MECHANISMS, 'address', 'port', 'address-and-port']) assert.ok(seen.has(x), `never drew ${x}`);
  });

  it('map the mechanism to a listed category and name the dependency as the culprit', () => {
    const ids = DIAGNOSIS_CATEGORIES.map((c) => c.id) as string[];
    for (let i = 0; i < 50; i++) {
      const p = drawParams(createRng(`seed-${i}`));
      const t = scenario.diagnosis.truth(p);
      assert.ok(ids.includes(t.category));
      assert.equal(t.category, p.mechanism === 'detach' ? 'network-detached' : 'firewall-rule');
      assert.equal(t.culprit, p.dependency);
    }
  });
});

describe('network-partition blocking rule', () => {
  it('matches address, port or both, and DROPs or REJECTs by mechanism', () => {
    const base = drawParams(createRng('x'));
    const p = { ...base, dependency: 'pricing' as const, ports: { accounts: 7001, inventory: 7002, pricing: 7003 } };
    const args = (match: 'address' | 'port' | 'address-and-port', mechanism: 'drop' | 'reject') => blockRuleArgs({ ...p, mechanism, rule: { ...p.rule, match, comment: 'c' } }, '10.0.0.9');
    assert.deepEqual(args('address', 'drop'), ['-d', '10.0.0.9/32', '-m', 'comment', '--comment', 'c', '-j', 'DROP']);
    assert.deepEqual(args('port', 'reject'), ['-p', 'tcp', '--dport', '7003', '-m', 'comment', '--comment', 'c', '-j', 'REJECT']);
    assert.deepEqual(args('address-and-port', 'drop'), ['-d', '10.0.0.9/32', '-p', 'tcp', '--dport', '7003', '-m', 'comment', '--comment', 'c', '-j', 'DROP']);
  });
});

describe('network-partition firewall view', () => {
  it('ignores the standing rules and finds the block', () => {
    const v = assessRules(['-P INPUT ACCEPT', '-P OUTPUT ACCEPT', BLOCK, ...STANDING]);
    assert.deepEqual(v.blocking, [BLOCK]);
    assert.equal(v.shadowed, false);
    assert.equal(v.standingKept.length, STANDING_RULES.length);
  });

  it('counts a block hidden behind an ACCEPT as still there', () => {
    const v = assessRules(['-P OUTPUT ACCEPT', '-A OUTPUT -d 192.168.112.2/32 -j ACCEPT', BLOCK, ...STANDING]);
    assert.deepEqual(v.blocking, [BLOCK]);
    assert.equal(v.shadowed, true);
  });

  it('sees a flush: nothing blocks, and the standing rules are gone', () => {
    const v = assessRules(['-P INPUT ACCEPT', '-P FORWARD ACCEPT', '-P OUTPUT ACCEPT']);
    assert.deepEqual(v.blocking, []);
    assert.deepEqual(v.standingKept, []);
  });

  it('sees the exact fix: only the standing rules are left', () => {
    const v = assessRules(['-P OUTPUT ACCEPT', ...STANDING]);
    assert.deepEqual(v.blocking, []);
    assert.equal(v.standingKept.length, 2);
  });
});

describe('network-partition firewall goals', () => {
  /** Runs one goal's check against a fake API whose `iptables -S` prints these lines, or fails. */
  const check = (id: string, iptables: { exitCode: number; stdout: string }) => {
    const goal = scenario.goals.find((g) => g.id === id);
    assert.ok(goal, id);
    const ctx = { exec: async () => ({ stderr: 'permission denied', ...iptables }) } as unknown as Parameters<typeof goal.check>[0];
    return goal.check(ctx);
  };

  it('judge the rules the API prints: a block left, the standing rules kept', async () => {
    const rules = { exitCode: 0, stdout: ['-P OUTPUT ACCEPT', BLOCK, ...STANDING].join('\n') };
    assert.equal((await check('no-blocking-rule', rules)).pass, false);
    assert.equal((await check('standing-rules-kept', rules)).pass, true);
    const flushed = { exitCode: 0, stdout: '-P OUTPUT ACCEPT' };
    assert.equal((await check('no-blocking-rule', flushed)).pass, true);
    assert.match((await check('standing-rules-kept', flushed)).evidence, /lost "no cloud metadata/);
  });

  it('fail both, saying why, when the firewall cannot be read', async () => {
    for (const id of ['no-blocking-rule', 'standing-rules-kept']) {
      const r = await check(id, { exitCode: 4, stdout: '' });
      assert.equal(r.pass, false);
      assert.match(r.evidence, /Could not read the API's firewall \(iptables -S exited 4: permission denied\)/);
    }
  });
});

describe('network-partition connectivity test', () => {
  const actions = (build: (log: Log) => void) => {
    const log = new Log();
    log.ready(0);
    build(log);
    return learnerActions(log.events);
  };

  /** A docker exec as the CLI makes it, ending with the exec inspect the proxy records the exit status on. */
  const ran = (l: Log, command: string[], exitCode?: number, target = 'api') => {
    l.docker(1_000, 'exec', { target, command });
    l.docker(1_050, 'exec-start', { target });
    l.docker(1_500, 'exec-inspect', { target, command, ...(exitCode === undefined ? {} : { flags: { exitCode } }) });
  };

  it('counts curl or nc that ran in the api container (exit status recorded), or from a sidecar on its network', () => {
    assert.ok(actions((l) => ran(l, ['curl', '-sS', '-m', '3', 'http://pricing:7003/healthz'], 0)).some(testsFromApi));
    // A test that fails (the dependency is cut off) still ran: curl exits 28 on a timeout.
    assert.ok(actions((l) => ran(l, ['curl', '-sS', '-m', '3', 'http://pricing:7003/healthz'], 28)).some(testsFromApi));
    assert.ok(actions((l) => ran(l, ['nc', '-vz', '-w', '2', 'pricing', '7003'], 1)).some(testsFromApi));
    assert.ok(actions((l) => ran(l, ['getent', 'hosts', 'pricing'], 0)).some(testsFromApi), 'name resolution is a connectivity test');
    assert.ok(
      actions((l) => l.docker(1_000, 'run', { flags: { net: 'api', image: 'sickbay/console:latest' }, command: ['curl', '-m', '2', 'http://accounts:7001/healthz'] })).some(testsFromApi),
    );
  });

  it('does not count a command that never ran, had no recorded exit status, or was only typed', () => {
    assert.ok(!actions((l) => ran(l, ['ping', '-c', '1', 'pricing'], 127)).some(testsFromApi), 'ping is not installed: exit 127');
    assert.ok(!actions((l) => ran(l, ['curl', '-m', '3', 'http://pricing:7003/'], 126)).some(testsFromApi));
    assert.ok(!actions((l) => ran(l, ['curl', '-m', '3', 'http://pricing:7003/'])).some(testsFromApi), 'no exit status recorded');
    assert.ok(!actions((l) => l.inside(1_000, 'api', 'curl -m 3 http://inventory:7002/healthz')).some(testsFromApi), 'a typed line has no exit status');
    assert.ok(!actions((l) => l.docker(1_000, 'run', { flags: { net: 'api' }, command: ['curl', 'http://accounts:7001/'], allowed: false, status: 403 })).some(testsFromApi), 'a refused sidecar');
  });

  it('does not count a test from elsewhere, or a look at the firewall', () => {
    assert.ok(!actions((l) => ran(l, ['curl', '-sS', 'http://127.0.0.1:7003/healthz'], 0, 'pricing')).some(testsFromApi));
    assert.ok(!actions((l) => ran(l, ['iptables', '-S'], 0)).some(testsFromApi));
  });
});
