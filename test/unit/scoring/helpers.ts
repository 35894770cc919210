/** Builds hand-written session logs for scoring tests. */
import { classifyEvents } from '@/lib/audit/classify';
import type { ContainerFacts, GoalOutcome, SessionEvent, SessionEventBody } from '@/lib/audit/events';
import { protocolExpectations, type DiagnosisBody, type ProtocolExpectations, type ProtocolInput, type UiEvent } from '@/lib/scoring';

type DockerOpts = { target?: string; targetId?: string; command?: string[]; flags?: Record<string, string | number | boolean>; allowed?: boolean; status?: number };

export class Log {
  private next = 1;
  readonly events: SessionEvent[] = [];
  readonly ui: UiEvent[] = [];

  private push(t: number, body: SessionEventBody): number {
    const id = this.next++;
    this.events.push({ ...body, id, t, at: 1_700_000_000_000 + t, sessionId: 's1' } as SessionEvent);
    return id;
  }

  ready(t: number): number {
    return this.push(t, { kind: 'lifecycle', status: 'ready' });
  }

  typed(t: number, line: string, opts: { where?: 'console' | 'exec'; target?: string; approximate?: boolean } = {}): number {
    return this.push(t, { kind: 'typed', where: opts.where ?? 'console', target: opts.target, line, approximate: opts.approximate ?? false });
  }

  /** A line typed inside an interactive exec in `target`. */
  inside(t: number, target: string, line: string): number {
    return this.typed(t, line, { where: 'exec', target });
  }

  docker(t: number, action: string, opts: DockerOpts = {}): number {
    return this.push(t, {
      kind: 'docker',
      action,
      method: 'POST',
      path: `/containers/${opts.target ?? 'x'}/${action}`,
      target: opts.target,
      targetId: opts.targetId,
      command: opts.command,
      flags: opts.flags,
      allowed: opts.allowed ?? true,
      status: opts.status,
    });
  }

  /** A docker exec as the CLI makes it: inspect, exec create, exec start, exec inspect. */
  exec(t: number, target: string, command: string[], flags: Record<string, boolean> = {}): number[] {
    return [
      this.docker(t + 20, 'inspect', { target }),
      this.docker(t + 40, 'exec', { target, command, flags }),
      this.docker(t + 60, 'exec-start', { target, flags }),
      this.docker(t + 300, 'exec-inspect', { target }),
    ];
  }

  /** Coach mode held a call (warned) or let its repeat through (chose). */
  coached(t: number, phase: 'warned' | 'chose', action: string, target: string, summary = `${action}s ${target}: processes, memory and the evidence in them are lost`, line?: string): number {
    return this.push(t, {
      kind: 'coached',
      phase,
      action,
      target,
      ...(line !== undefined ? { line } : {}),
      tier: action === 'update' ? 'change' : 'state-losing',
      summary,
      ...(phase === 'warned' ? { message: `sickbay coach: this ${summary}` } : { warnedAt: 0 }),
    });
  }

  /** Docker's record of a service's container at the end (the engine logs it before teardown). */
  record(t: number, service: string, baseline: ContainerFacts, now: ContainerFacts | null): number {
    return this.push(t, { kind: 'container-record', service, baseline, now });
  }

  /** A goal check: the final one at the end of the session unless `final` is false (a check asked for while it runs). */
  goals(t: number, results: GoalOutcome[], final = true): number {
    const passed = results.filter((r) => r.pass).length;
    return this.push(t, { kind: 'goals', final, passed, total: results.length, results });
  }

  diagnosis(t: number, body: Omit<DiagnosisBody, 'kind'>): number {
    const id = this.next++;
    this.ui.push({ kind: 'diagnosis', ...body, id, t });
    return id;
  }

  update(t: number, text: string): number {
    const id = this.next++;
    this.ui.push({ kind: 'update', text, id, t });
    return id;
  }

  input(expectations: Partial<ProtocolExpectations> = {}, services = ['api', 'traffic']): ProtocolInput {
    return { events: classifyEvents(this.events), ui: this.ui, expectations: protocolExpectations(expectations), services };
  }
}

export const LEAKY: Partial<ProtocolExpectations> = {
  affectedServices: ['api'],
  snapshotExpected: true,
  restartAllowed: false,
  secrets: [],
  stressed: true,
  timelineScale: 1,
};

export const ALL_GOALS_PASS: GoalOutcome[] = [
  { id: 'job-stopped', title: 'The runaway job is no longer running', pass: true, evidence: 'ok' },
  { id: 'api-not-restarted', title: 'The API kept running', pass: true, evidence: 'ok' },
  { id: 'api-healthy', title: 'The API answers 50 requests', pass: true, evidence: 'ok' },
];

/** A run that first changes something in the API (kills a process), then restarts `service`, then reports `goals`. */
export function changeThenRestart(service: string, goals: GoalOutcome[]): Log {
  const log = new Log();
  log.ready(0);
  log.typed(5_000, 'docker exec api kill 4242');
  log.exec(5_000, 'api', ['kill', '4242']);
  log.typed(20_000, `docker restart ${service}`);
  log.docker(20_100, 'restart', { target: service });
  log.goals(60_000, goals);
  return log;
}
