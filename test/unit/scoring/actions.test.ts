import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildActions, resolveService } from '@/lib/scoring';
import { Log } from './helpers';

const actionsOf = (log: Log) => {
  const input = log.input();
  return buildActions(input.events, { services: input.services });
};

describe('buildActions', () => {
  it('folds the proxy calls of a typed docker exec into the line', () => {
    const log = new Log();
    const line = log.typed(1_000, 'docker exec api ps aux');
    const calls = log.exec(1_000, 'api', ['ps', 'aux']);
    const [a, ...rest] = actionsOf(log);
    assert.equal(rest.length, 0);
    assert.deepEqual(a?.ids, [line, ...calls]);
    assert.equal(a?.source, 'console');
    assert.equal(a?.tier, 'read-only');
    assert.deepEqual(a?.targets, ['api']);
  });

  it('keeps each typed line with its own calls, the CLI preamble included', () => {
    const log = new Log();
    const l1 = log.typed(1_000, 'docker inspect api');
    const i1 = log.docker(1_050, 'inspect', { target: 'api' });
    const l2 = log.typed(3_000, 'docker logs --tail 5 api');
    const pre = log.docker(3_050, 'inspect', { target: 'api' });
    const logs = log.docker(3_080, 'logs', { target: 'api' });
    const a = actionsOf(log);
    assert.deepEqual(a.map((x) => x.ids), [[l1, i1], [l2, pre, logs]]);
  });

  it('turns unclaimed proxy calls into actions, with their preamble and companions', () => {
    const log = new Log();
    const pre = log.docker(1_000, 'inspect', { target: 'api' });
    const exec = log.docker(1_020, 'exec', { target: 'api', command: ['kill', '42'] });
    const start = log.docker(1_040, 'exec-start', { target: 'api' });
    const a = actionsOf(log);
    assert.equal(a.length, 1);
    assert.deepEqual(a[0]?.ids, [pre, exec, start]);
    assert.equal(a[0]?.source, 'docker');
    assert.equal(a[0]?.tier, 'change');
  });

  it('leaves console-only lines out and keeps exec lines with their target', () => {
    const log = new Log();
    log.typed(1_000, 'ls -la');
    log.typed(1_500, 'history | tail');
    const inside = log.inside(2_000, 'api', 'free -m');
    const a = actionsOf(log);
    assert.equal(a.length, 1);
    assert.deepEqual(a[0]?.ids, [inside]);
    assert.equal(a[0]?.source, 'exec');
    assert.deepEqual(a[0]?.targets, ['api']);
  });

  it('marks an action without effect when its main call was refused or failed', () => {
    const log = new Log();
    log.typed(1_000, 'docker restart api');
    const refused = log.docker(1_100, 'restart', { target: 'api', allowed: false, status: 403 });
    const [a] = actionsOf(log);
    assert.equal(a?.effective, false);
    assert.deepEqual(a?.failedIds, [refused]);
    const log2 = new Log();
    log2.typed(1_000, 'docker logs nosuch');
    log2.docker(1_050, 'logs', { target: 'nosuch', status: 404 });
    assert.equal(actionsOf(log2)[0]?.effective, false);
  });

  it('does not let a line claim calls long after it', () => {
    const log = new Log();
    log.typed(1_000, 'docker logs api');
    const late = log.docker(60_000, 'logs', { target: 'api' });
    const a = actionsOf(log);
    assert.equal(a.length, 2);
    assert.deepEqual(a[1]?.ids, [late]);
  });

  it('joins the lines of a multi-line SQL statement typed in psql', () => {
    const log = new Log();
    log.docker(1_000, 'exec', { target: 'db', command: ['psql'], flags: { tty: true, stdin: true } });
    const l1 = log.inside(2_000, 'db', 'DELETE FROM orders');
    const l2 = log.inside(3_000, 'db', 'WHERE id = 1;');
    const a = actionsOf(log);
    assert.equal(a.length, 2);
    assert.deepEqual(a[1]?.ids, [l1, l2]);
    assert.equal(a[1]?.t, 2_000);
    assert.equal(a[1]?.tier, 'change');
  });

  it('folds the proxy\'s "cp" calls into the typed docker cp, and a refused copy has no effect', () => {
    const log = new Log();
    const line = log.typed(1_000, 'docker cp api:/srv/app/app.log .');
    const stat = log.docker(1_040, 'cp', { target: 'api', flags: { path: '/srv/app/app.log', direction: 'stat' } });
    const get = log.docker(1_060, 'cp', { target: 'api', flags: { path: '/srv/app/app.log', direction: 'out' } });
    const line2 = log.typed(5_000, 'docker cp fix.conf api:/etc/app.conf');
    const stat2 = log.docker(5_040, 'cp', { target: 'api', flags: { path: '/etc', direction: 'stat' } });
    const put = log.docker(5_060, 'cp', { target: 'api', flags: { path: '/etc', direction: 'in' }, allowed: false, status: 403 });
    const a = actionsOf(log);
    assert.deepEqual(a.map((x) => x.ids), [[line, stat, get], [line2, stat2, put]]);
    assert.deepEqual(a.map((x) => x.tier), ['snapshot', 'change']);
    assert.deepEqual(a.map((x) => x.effective), [true, false]);
  });

  it('folds every probe of docker inspect and the inspect behind docker port into the line', () => {
    const log = new Log();
    const line = log.typed(1_000, 'docker inspect nosuch');
    // What CLI 20.10 asks, in order, for a name that is nothing (each answered 404).
    const probes = ['inspect', 'image-inspect', 'network-inspect', 'volume-inspect', 'info', 'plugin-inspect'].map((a, i) =>
      log.docker(1_050 + 10 * i, a, { target: a === 'info' ? undefined : 'nosuch', allowed: a === 'info', status: a === 'info' ? 200 : 404 }),
    );
    const port = log.typed(3_000, 'docker port api');
    const portCall = log.docker(3_050, 'inspect', { target: 'api' });
    const a = actionsOf(log);
    assert.deepEqual(a.map((x) => x.ids), [[line, ...probes], [port, portCall]]);
    assert.equal(a[1]?.tier, 'external');
  });

  it('maps typed container names to services', () => {
    const log = new Log();
    log.typed(1_000, 'docker restart sickbay-3f2a-api-1');
    assert.deepEqual(actionsOf(log)[0]?.targets, ['api']);
  });
});

describe('resolveService', () => {
  it('maps names, compose-style names and leaves strangers alone', () => {
    const services = ['api', 'traffic', 'db'];
    assert.equal(resolveService('api', services), 'api');
    assert.equal(resolveService('sickbay-3f2a-api-1', services), 'api');
    assert.equal(resolveService('lab_db_1', services), 'db');
    assert.equal(resolveService('traffic-api', services), 'api');
    assert.equal(resolveService('3f2a9c', services), '3f2a9c');
    assert.equal(resolveService('*', services), '*');
    assert.equal(resolveService(undefined, services), undefined);
  });
});
