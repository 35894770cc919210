/**
 * A team drill on the real server in team mode, as a facilitator runs one: an individuals drill
 * of N leaky-job sessions (one participant each, joined by code), provisioned and held
 * (server/engine/holding.ts), then released by one Start. Figures: provisioning all N through
 * the admission queue (context); Start until every session is ready — the POST's round trip,
 * about zero since all the work happened before — and the spread of their ready times (zero:
 * one transaction, one timestamp); then keystroke echo with every participant's terminal
 * connected and all of them typing at once: at a fast typist's pace (10 keys a second each, the
 * target's figure) beside the floor — one more shell on the first console through node-pty and
 * `docker exec -it`, no gateway, typing at the same time — and then at the stress pace of the
 * echo section (one key every 20 ms or as fast as the echo comes back). The floor says how much
 * of the delay is the loaded machine (Docker's exec path, the scheduler) and how much is ours.
 * Every wait is bounded; End ends every session.
 */
import { objectName } from '@/lib/lifecycle/objects';
import type { SeedUser } from '../../test/integration/accounts-helpers';
import type { BenchServer } from '../lib/server';
import { SCENARIO } from '../lib/lab';
import { since, summarize, type Summary } from '../lib/stats';
import { BarePtyTypist, echoSamples, echoTogether, WebSocketTypist } from '../lib/terminal';

const HOLD_TIMEOUT_MS = 30 * 60_000;
/** A line while the sessions provision: twenty take minutes. */
const PROGRESS_EVERY_MS = 30_000;
const PASSWORD = 'bench drill password';
/** x then DEL, one pair per 200 ms: 10 keystrokes a second, a fast typist (about 120 words a minute). */
const TYPIST_PACE_MS = 200;
/** Keystrokes a second per terminal at that pace (the target's wording). */
export const TYPIST_KEYS_PER_S = 2000 / TYPIST_PACE_MS;
/** The echo section's pace: a keystroke every 20 ms, or as soon as the last echo is back. */
const STRESS_PACE_MS = 20;

export interface DrillResult {
  sessions: number;
  /** First join until every session is held, ms. */
  provisionAllMs: number;
  /** Start (the POST) until every session is ready, ms, measured here. */
  releaseMs: number;
  /** Largest minus smallest readyAt among the sessions, ms. */
  readySpreadMs: number;
  failed: number;
  /** Keystroke echo pooled over every terminal, all typing at once at TYPIST_PACE_MS (null: not reached). */
  echo: Summary | null;
  echoPaceMs: number;
  /** The floor at the same time: a bare `docker exec -it` shell on the first console. */
  echoFloor: Summary | null;
  /** Every terminal typing at STRESS_PACE_MS: far beyond people, for comparison with the echo section. */
  echoStress: Summary | null;
  echoSamplesPerTerminal: number;
}

interface DrillJson {
  id: string;
  code: string;
  startedAt: string | null;
  teams: { sessionId: string | null; readiness: string }[];
}
interface SessionJson {
  id: string;
  statusDetail: string | null;
  readyAt: string | null;
  terminal: { path: string; token: string } | null;
}

/** The accounts a drill of `n` needs: the facilitator (an admin, the first account) and n participants. */
export function drillAccounts(n: number): SeedUser[] {
  const people = Array.from({ length: n }, (_, i): SeedUser => ({ email: `p${i + 1}@bench.example`, role: 'learner', password: PASSWORD }));
  return [{ email: 'facilitator@bench.example', role: 'admin', password: PASSWORD }, ...people];
}

export async function benchDrill(server: BenchServer, options: { sessions: number; samples: number; log: (m: string) => void }): Promise<DrillResult> {
  const [host, ...people] = drillAccounts(options.sessions) as [SeedUser, ...SeedUser[]];
  const fay = await server.signIn(host);
  const cookies = await Promise.all(people.map((p) => server.signIn(p)));
  const drill = await server.as<DrillJson>(fay, 'POST', '/api/drills', { name: 'bench drill', scenario: SCENARIO, mode: 'individuals', seed: 'bench-drill', timeLimitMin: 60 }, 201);
  const typists: WebSocketTypist[] = [];
  let floor: BarePtyTypist | null = null;
  try {
    const t0 = performance.now();
    for (const cookie of cookies) await server.as(cookie, 'POST', '/api/drills/join', { code: drill.code });
    const deadline = Date.now() + HOLD_TIMEOUT_MS;
    let state = await server.as<{ drill: DrillJson }>(fay, 'GET', `/api/drills/${drill.id}`);
    let nextProgress = Date.now() + PROGRESS_EVERY_MS;
    while (state.drill.teams.some((t) => t.readiness === 'preparing')) {
      if (Date.now() > deadline) throw new Error(`${options.sessions} held sessions took longer than ${HOLD_TIMEOUT_MS / 60_000} min`);
      await new Promise((r) => setTimeout(r, 1000));
      state = await server.as<{ drill: DrillJson }>(fay, 'GET', `/api/drills/${drill.id}`);
      if (Date.now() >= nextProgress) {
        nextProgress += PROGRESS_EVERY_MS;
        const count = (r: string) => state.drill.teams.filter((t) => t.readiness === r).length;
        options.log(`  … ${Math.round(since(t0) / 1000)} s: ${count('ready')} held, ${count('preparing')} preparing, ${options.sessions - count('ready') - count('preparing')} failed`);
      }
    }
    const provisionAllMs = since(t0);
    const held = state.drill.teams.filter((t) => t.readiness === 'ready').length;
    options.log(`  ${held}/${options.sessions} held after ${Math.round(provisionAllMs / 1000)} s`);
    if (held < options.sessions) {
      // Why each one failed, as its owner's session page says it.
      const why = await Promise.all(
        state.drill.teams.map(async (t, i) =>
          t.readiness === 'ready' || !t.sessionId ? null : `${i + 1}: ${(await server.as<SessionJson>(cookies[i] as string, 'GET', `/api/sessions/${t.sessionId}`).catch(() => null))?.statusDetail ?? t.readiness}`,
        ),
      );
      throw new Error(`only ${held} of ${options.sessions} sessions were held; ${why.filter(Boolean).join('; ')}`);
    }
    const t1 = performance.now();
    const started = await server.as<DrillJson>(fay, 'POST', `/api/drills/${drill.id}/start`);
    const releaseMs = since(t1);
    const sessions = await Promise.all(started.teams.map((t, i) => server.as<SessionJson>(cookies[i] as string, 'GET', `/api/sessions/${t.sessionId}`)));
    const readyAts = sessions.map((s) => Date.parse(s.readyAt ?? 'NaN'));
    const result: DrillResult = {
      sessions: options.sessions,
      provisionAllMs,
      releaseMs,
      readySpreadMs: Math.max(...readyAts) - Math.min(...readyAts),
      failed: started.teams.filter((t) => t.readiness !== 'live').length,
      echo: null,
      echoPaceMs: TYPIST_PACE_MS,
      echoFloor: null,
      echoStress: null,
      echoSamplesPerTerminal: options.samples,
    };
    // Every participant's terminal, as their session page opens it (their sign-in's cookie).
    sessions.forEach((s, i) => {
      if (s.terminal) typists.push(new WebSocketTypist(server.url, s.id, s.terminal.token, undefined, { cookie: cookies[i] as string }));
    });
    floor = new BarePtyTypist(objectName(sessions[0]!.id, 'console'));
    await Promise.all([...typists, floor].map((t) => t.ready()));
    const pace = { samples: options.samples, warmup: 10, paceMs: TYPIST_PACE_MS, timeoutMs: 10_000 };
    const [together, alone] = await Promise.all([echoTogether(typists, pace), echoSamples(floor, pace)]);
    result.echo = summarize(together, 2);
    result.echoFloor = summarize(alone, 2);
    options.log(
      `  echo with ${typists.length} terminals typing at once, ${TYPIST_KEYS_PER_S} keys/s each: p50 ${result.echo.median} ms, p95 ${result.echo.p95} ms, p99 ${result.echo.p99} ms; ` +
        `the floor beside them (docker exec -it, no gateway): p50 ${result.echoFloor.median} ms, p95 ${result.echoFloor.p95} ms`,
    );
    result.echoStress = summarize(await echoTogether(typists, { ...pace, paceMs: STRESS_PACE_MS }), 2);
    options.log(`  the same at the stress pace (a key every ${STRESS_PACE_MS} ms): p50 ${result.echoStress.median} ms, p95 ${result.echoStress.p95} ms, p99 ${result.echoStress.p99} ms`);
    return result;
  } finally {
    await Promise.all([...typists, ...(floor ? [floor] : [])].map((t) => t.close()));
    await server.as(fay, 'POST', `/api/drills/${drill.id}/end`).catch((err: Error) => options.log(`ending the drill: ${err.message}`));
  }
}
