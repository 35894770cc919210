/**
 * Coached moments in the report (issue #15, item 4): "warned, then chose …" beside the rule it
 * concerns, while the protocol score still judges what happened (the coach never hides a mistake).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateScenario } from '@/lib/scenario/schema';
import { buildSessionReport } from '@/lib/scoring';
import { FILE, valid } from '../lib/scenario-fixture';
import { Log } from './helpers';

const definition = validateScenario(FILE, valid({
  params: () => ({}),
  diagnosis: {
    culpritLabel: 'the leaking job',
    categories: [
      { id: 'leak', label: 'Memory leak' },
      { id: 'cpu', label: 'CPU' },
      { id: 'disk', label: 'Disk' },
    ],
    truth: () => ({ category: 'leak', culprit: 'job', culpritKind: 'process' }),
  },
  protocol: { affectedServices: ['api'], snapshotExpected: false, snapshotEvidence: [] },
  services: () => ({ api: { image: 'sickbay/service:latest', networks: ['app'] } }),
  goals: [{ id: 'ok', title: 'Fine', check: async () => ({ pass: true, evidence: 'ok' }) }],
}));

const report = (log: Log) => buildSessionReport({ sessionId: 's1', scenario: 'coach-demo', definition, params: {}, events: log.events, readyAt: 0, endedAt: 120_000 });

/** Looked at the logs, then restarted api; with `coach`, the first restart was held. */
function restartLog(coach: 'none' | 'went-ahead' | 'held-back'): Log {
  const log = new Log();
  log.ready(0);
  log.typed(2_000, 'docker logs api');
  log.docker(2_100, 'logs', { target: 'api' });
  if (coach === 'none') {
    log.typed(5_000, 'docker restart api');
    log.docker(5_100, 'restart', { target: 'api' });
    return log;
  }
  log.typed(5_000, 'docker restart api');
  log.coached(5_050, 'warned', 'restart', 'api');
  log.docker(5_100, 'restart', { target: 'api', allowed: false, status: 409 });
  if (coach === 'held-back') return log;
  log.typed(9_000, 'docker restart api');
  log.coached(9_050, 'chose', 'restart', 'api');
  log.docker(9_100, 'restart', { target: 'api' });
  return log;
}

describe('coached moments in the report', () => {
  it('a warned-then-chosen restart scores exactly like a plain restart', () => {
    const plain = report(restartLog('none'));
    const coached = report(restartLog('went-ahead'));
    const rule = (r: typeof plain) => r.protocol.results.find((x) => x.id === 'no-state-loss');
    assert.equal(rule(plain)?.status, 'broken');
    assert.equal(rule(coached)?.status, 'broken', 'the coach never hides the restart');
    assert.equal(coached.protocol.total, plain.protocol.total);
    assert.deepEqual(plain.coached, []);
  });

  it('shows "warned, then chose to go ahead" next to the rule the restart broke', () => {
    const log = restartLog('went-ahead');
    const r = report(log);
    assert.equal(r.coached?.length, 1);
    const m = r.coached?.[0];
    assert.equal(m?.choice, 'went-ahead');
    assert.equal(m?.action, 'restart');
    assert.equal(m?.target, 'api');
    assert.match(m?.text ?? '', /^warned, then chose to go ahead: restarts api/);
    assert.ok(m?.rules.includes('no-state-loss'), `rules: ${m?.rules.join(', ')}`);
    const restart = log.events.filter((e) => e.kind === 'docker' && e.action === 'restart' && e.allowed);
    assert.equal(m?.callId, restart[0]?.id);
  });

  it('a warning heeded loses no state (and, with nothing changed, earns nothing for it); the moment says "chose not to"', () => {
    const r = report(restartLog('held-back'));
    assert.equal(r.protocol.results.find((x) => x.id === 'no-state-loss')?.status, 'not-applicable');
    const m = r.coached?.[0];
    assert.equal(m?.choice, 'held-back');
    assert.equal(m?.callId, null);
    assert.match(m?.text ?? '', /^warned, then chose not to/);
    assert.deepEqual(m?.rules, ['no-state-loss']);
  });

  it('a line held inside an exec and typed again: the moment points at the typed line that ran, and no-state-loss is broken', () => {
    const log = new Log();
    log.ready(0);
    log.typed(2_000, 'docker logs api');
    log.docker(2_100, 'logs', { target: 'api' });
    log.typed(4_000, 'docker exec -it api sh');
    log.docker(4_100, 'exec', { target: 'api' });
    const summary = 'sends SIGTERM to PID 1, the container\u2019s main process: the container stops';
    log.coached(6_000, 'warned', 'typed', 'api', summary, 'kill 1');
    log.coached(9_000, 'chose', 'typed', 'api', summary, 'kill 1');
    const ran = log.inside(9_001, 'api', 'kill 1');
    const r = report(log);
    const m = r.coached?.[0];
    assert.equal(r.coached?.length, 1, JSON.stringify(r.coached));
    assert.equal(m?.choice, 'went-ahead');
    assert.equal(m?.callId, ran, 'the typed line that went through');
    assert.ok(m?.rules.includes('no-state-loss'), `rules: ${m?.rules.join(', ')}`);
  });
});
