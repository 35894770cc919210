/**
 * Issue 17 (fair grading): which goals a restart meets depends on the seeded variant and on which
 * service was restarted. network-partition: a restart of the API clears the blocking rule in its
 * namespace (drop, reject) and reattaches nothing (detach); healthy-but-hanging: only a restart
 * of the frozen dependency meets the quotes goal. A loss of another service leaves it whole.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GoalOutcome } from '@/lib/audit/events';
import { ruleContext } from '@/lib/scoring/protocol';
import { goalsAfterLoss, restartMeetsOf } from '@/lib/scoring/restart-credit';
import { createRng } from '@/lib/scenario/rng';
import hanging, { type HealthyButHangingParams } from '@/scenarios/healthy-but-hanging/scenario';
import partition, { type Mechanism, type NetworkPartitionParams } from '@/scenarios/network-partition/scenario';
import pg from '@/scenarios/pg-blocked-missing-index/scenario';
import { changeThenRestart, LEAKY, Log } from './helpers';

/** The services a scenario file declares affected (its default export is the authored input). */
const affected = (def: { protocol?: { affectedServices?: string[] } }): string[] => def.protocol?.affectedServices ?? [];

/** The first seed drawing each network-partition mechanism. */
function partitionParams(): Map<Mechanism, NetworkPartitionParams> {
  const found = new Map<Mechanism, NetworkPartitionParams>();
  for (let i = 0; found.size < 3 && i < 200; i++) {
    const p = partition.params(createRng(`fair5-variant-${i}`));
    if (!found.has(p.mechanism)) found.set(p.mechanism, p);
  }
  assert.equal(found.size, 3, 'every mechanism drawn within 200 seeds');
  return found;
}

const HANGING = { ...LEAKY, affectedServices: ['api', 'catalog', 'stock', 'rates'] };
const QUOTES: GoalOutcome[] = [{ id: 'quotes-answer', title: 'Quote requests succeed again', pass: true, evidence: '' }];

/** A healthy-but-hanging run whose only move is restarting one service, then every goal passes. */
function restartOf(service: string): Log {
  const log = new Log();
  log.ready(0);
  log.typed(5_000, `docker restart ${service}`);
  log.docker(5_100, 'restart', { target: service });
  log.goals(60_000, QUOTES);
  return log;
}

describe('restartMeets resolved per run (issue 17)', () => {
  it('network-partition: a restart of the API meets checkouts and the rule goal in drop and reject, nothing in detach', () => {
    for (const [mechanism, params] of partitionParams()) {
      const meets = restartMeetsOf(partition.goals, params, affected(partition));
      const expected = mechanism === 'detach' ? [] : [['checkout-healthy', ['api']], ['no-blocking-rule', ['api']]];
      assert.deepEqual([...meets], expected, mechanism);
    }
  });

  it('healthy-but-hanging: only the frozen dependency, whichever the seed froze', () => {
    for (const seed of ['fair5-a', 'fair5-b', 'fair5-c']) {
      const params: HealthyButHangingParams = hanging.params(createRng(seed));
      assert.deepEqual([...restartMeetsOf(hanging.goals, params, affected(hanging))], [['quotes-answer', [params.frozen]]], seed);
    }
  });

  it('true stands for every affected service (pg: restarting Postgres ends the blocking sessions)', () => {
    const params = pg.params(createRng('fair5-pg'));
    assert.deepEqual(restartMeetsOf(pg.goals, params, affected(pg)).get('blocking-cleared'), affected(pg));
  });

  it('a loss of another affected service leaves the goal whole; a loss of its own service takes its credit', () => {
    const meets = new Map([['quotes-answer', ['catalog']]]);
    const services = ['api', 'catalog', 'stock', 'rates', 'traffic'];
    const api = restartOf('api');
    assert.equal(goalsAfterLoss(ruleContext(api.input(HANGING, services)), QUOTES, api.events, meets).size, 0, 'restarting the API does not thaw catalog');
    const catalog = restartOf('catalog');
    const credit = goalsAfterLoss(ruleContext(catalog.input(HANGING, services)), QUOTES, catalog.events, meets);
    assert.deepEqual([...credit.values()].map((c) => c.share), [0]);
    assert.match(credit.get('quotes-answer')?.note ?? '', /met only after "docker restart catalog" at 0:05/);
  });

  it('a change to another affected service before the loss still makes it half', () => {
    const log = changeThenRestart('catalog', QUOTES);
    const credit = goalsAfterLoss(ruleContext(log.input(HANGING, ['api', 'catalog', 'stock', 'rates'])), QUOTES, log.events, new Map([['quotes-answer', ['catalog']]]));
    assert.deepEqual([...credit.values()].map((c) => c.share), [0.5]);
  });
});
