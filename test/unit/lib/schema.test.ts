import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineScenario, resolveServices, validateScenario } from '@/lib/scenario/schema';
import { FILE, messageOf, valid } from './scenario-fixture';

describe('scenario schema', () => {
  it('accepts a minimal definition and fills the defaults', () => {
    const def = validateScenario(FILE, valid());
    assert.deepEqual(def.tags, []);
    assert.deepEqual(def.faults, []);
    assert.equal(def.networks.app?.internal, true, 'networks are internal unless said otherwise');
    const { services } = resolveServices(FILE, def, 'seed');
    assert.deepEqual(services.web?.limits, { memory: '256m', cpus: 0.5, pids: 256 });
    assert.deepEqual(services.web?.capAdd, []);
  });

  it('requires a declared cost and names its wrong fields', () => {
    const def = validateScenario(FILE, valid());
    assert.deepEqual(def.cost, { cpus: 0.1, memory: '8m', startWeight: 1 });
    const { cost: _omitted, ...withoutCost } = valid();
    assert.match(messageOf(() => validateScenario(FILE, withoutCost)), /^scenarios\/demo\/scenario\.ts: cost: /);
    assert.match(messageOf(() => validateScenario(FILE, valid({ cost: { cpus: 0.1, memory: 'lots', startWeight: 1 } }))), /: cost\.memory: expected a size/);
    assert.match(messageOf(() => validateScenario(FILE, valid({ cost: { cpus: 0.1, memory: '8m', startWeight: 0.5 } }))), /: cost\.startWeight: startWeight is at least 1/);
    assert.match(messageOf(() => validateScenario(FILE, valid({ cost: { cpus: 0.1, memory: '8m', startWeight: 1, pids: 3 } }))), /: cost: .*pids/);
  });

  it('refuses a cost above what the services\' limits allow', () => {
    // One service with the default limits: 0.5 cores, 256m.
    assert.match(messageOf(() => validateScenario(FILE, valid({ cost: { cpus: 0.75, memory: '8m', startWeight: 1 } }))), /: cost\.cpus: 0\.75 is more than the services' CPU limits add up to \(0\.5\)/);
    assert.match(messageOf(() => validateScenario(FILE, valid({ cost: { cpus: 0.5, memory: '1g', startWeight: 1 } }))), /: cost\.memory: 1g is more than the services' memory limits add up to \(256m\)/);
    assert.doesNotThrow(() => validateScenario(FILE, valid({ cost: { cpus: 0.5, memory: '256m', startWeight: 5 } })));
  });

  it('names the file and the field of a wrong value', () => {
    const msg = messageOf(() => validateScenario(FILE, valid({ difficulty: 'expert' })));
    assert.match(msg, /^scenarios\/demo\/scenario\.ts: difficulty: /);
  });

  it('names nested service fields', () => {
    const msg = messageOf(() =>
      validateScenario(
        FILE,
        valid({ services: () => ({ web: { image: 'x', networks: ['app'], limits: { memory: 'lots' } } }) }),
      ),
    );
    assert.match(msg, /scenarios\/demo\/scenario\.ts: services\.web\.limits\.memory: expected a size like "256m"/);
  });

  it('requires servedNormally and names its bad fields', () => {
    const { servedNormally: _omit, ...without } = valid();
    assert.match(messageOf(() => validateScenario(FILE, without)), /^scenarios\/demo\/scenario\.ts: servedNormally: /);
    const bad = messageOf(() => validateScenario(FILE, valid({ servedNormally: { successRate: 1.5, p95Ms: 5 } })));
    assert.match(bad, /servedNormally\.successRate: successRate is a share: at most 1/);
    assert.match(bad, /servedNormally\.p95Ms: /);
    assert.match(messageOf(() => validateScenario(FILE, valid({ servedNormally: { successRate: 0.9, p95Ms: 500, p50Ms: 1 } }))), /servedNormally: /);
    assert.deepEqual(validateScenario(FILE, valid()).servedNormally, { successRate: 0.99, p95Ms: 1000 });
  });

  it('refuses unknown keys instead of ignoring a typo', () => {
    const msg = messageOf(() => validateScenario(FILE, valid({ goalz: [] })));
    assert.match(msg, /goalz/);
  });

  it('refuses a service on an undeclared network', () => {
    const msg = messageOf(() =>
      validateScenario(FILE, valid({ services: () => ({ web: { image: 'x', networks: ['backend'] } }) })),
    );
    assert.match(msg, /services\.web\.networks\.0: unknown network "backend"/);
  });

  it('reports a missing function and a params() that throws', () => {
    assert.match(messageOf(() => validateScenario(FILE, valid({ services: 'web' }))), /services: services must be a function/);
    const boom = () => {
      throw new Error('no dice');
    };
    assert.match(messageOf(() => validateScenario(FILE, valid({ params: boom }))), /params: threw no dice/);
  });

  it('requires at least one goal and unique goal ids', () => {
    assert.match(messageOf(() => validateScenario(FILE, valid({ goals: [] }))), /goals: a scenario needs at least one goal/);
    const g = { id: 'same', title: 't', check: async () => ({ pass: true, evidence: '' }) };
    assert.match(messageOf(() => validateScenario(FILE, valid({ goals: [g, g] }))), /goals\.1\.id: duplicate id "same"/);
  });

  it('takes restartMeets as true, a list of affected services or a function of the params, and names a wrong one', () => {
    const goal = (restartMeets: unknown) => valid({ protocol: { affectedServices: ['web'] }, goals: [{ id: 'up', title: 'Web is up', restartMeets, check: async () => ({ pass: true, evidence: 'ok' }) }] });
    for (const ok of [true, false, ['web'], [], (p: { port: number }) => (p.port % 2 ? ['web'] : false)]) assert.doesNotThrow(() => validateScenario(FILE, goal(ok)));
    assert.match(messageOf(() => validateScenario(FILE, goal(['db']))), /^scenarios\/demo\/scenario\.ts: goals\.0\.restartMeets: "db" is not one of protocol\.affectedServices \(web\)/);
    assert.match(messageOf(() => validateScenario(FILE, goal(() => ['web', 'cache']))), /: goals\.0\.restartMeets: "cache" is not one of/);
    assert.match(messageOf(() => validateScenario(FILE, goal(() => 'web'))), /: goals\.0\.restartMeets: must return true, false or a list of service names/);
    assert.match(messageOf(() => validateScenario(FILE, goal(() => { throw new Error('no variant'); }))), /: goals\.0\.restartMeets: threw no variant/);
    assert.match(messageOf(() => validateScenario(FILE, goal('web'))), /^scenarios\/demo\/scenario\.ts: goals\.0\.restartMeets: restartMeets must be true, false, a list of service names or a function/);
  });

  it('checks the diagnosis: enough categories, unique ids, a truth among them', () => {
    const cats = [
      { id: 'a', label: 'Answer A' },
      { id: 'b', label: 'Answer B' },
    ];
    const d = (over: Record<string, unknown>) => ({ culpritLabel: 'the thing', categories: [...cats, { id: 'c', label: 'Answer C' }], truth: () => ({ category: 'a', culprit: 'x', culpritKind: 'process' }), ...over });
    assert.match(messageOf(() => validateScenario(FILE, valid({ diagnosis: d({ categories: cats }) }))), /diagnosis\.categories: offer at least 3/);
    assert.match(
      messageOf(() => validateScenario(FILE, valid({ diagnosis: d({ categories: [...cats, { id: 'a', label: 'Answer again' }] }) }))),
      /diagnosis\.categories\.2\.id: duplicate id "a"/,
    );
    assert.match(
      messageOf(() => validateScenario(FILE, valid({ diagnosis: d({ truth: () => ({ category: 'zzz', culprit: 'x', culpritKind: 'process' }) }) }))),
      /category "zzz" is not one of diagnosis\.categories/,
    );
    assert.match(
      messageOf(() => validateScenario(FILE, valid({ diagnosis: d({ truth: () => ({ category: 'a', culprit: '', culpritKind: 'process' }) }) }))),
      /diagnosis\.truth\(\)\.culprit/,
    );
  });

  it('refuses capabilities that would let a service escape', () => {
    const msg = messageOf(() =>
      validateScenario(FILE, valid({ services: () => ({ web: { image: 'x', capAdd: ['SYS_ADMIN'] } }) })),
    );
    assert.match(msg, /services\.web\.capAdd\.0/);
  });

  it('accepts sized tmpfs mounts and names a bad mount point or size', () => {
    const def = validateScenario(FILE, valid({ services: () => ({ web: { image: 'x', tmpfs: { '/var/lib/app': '16m' } } }) }));
    const { services } = resolveServices(FILE, def, 'seed');
    assert.deepEqual(services.web?.tmpfs, { '/var/lib/app': '16m' });
    assert.match(messageOf(() => validateScenario(FILE, valid({ services: () => ({ web: { image: 'x', tmpfs: { 'relative': '16m' } } }) }))), /services\.web\.tmpfs/);
    assert.match(messageOf(() => validateScenario(FILE, valid({ services: () => ({ web: { image: 'x', tmpfs: { '/data': 'lots' } } }) }))), /services\.web\.tmpfs\.\/data/);
  });

  it('rejects a module without a default export', () => {
    assert.match(messageOf(() => validateScenario(FILE, undefined)), /export default defineScenario/);
  });

  it('defineScenario is the identity (typing only)', () => {
    const input = valid() as unknown as Parameters<typeof defineScenario>[0];
    assert.equal(defineScenario(input), input);
  });
});
