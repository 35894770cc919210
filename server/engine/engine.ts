/**
 * The session engine: creates sessions, provisions them (provisioning.ts), keeps a pool ready
 * (pool.ts), holds drills' sessions until released (holding.ts), takes the learner's input
 * (learner-input.ts), checks goals (goals.ts), and tears everything down again. The only writer
 * of session status, and the one way pages and routes reach sessions (pooled ones stay invisible).
 */
import crypto from 'node:crypto';
import type { SessionEvent } from '@/lib/audit/events';
import { SickbayError, toSickbayError } from '@/lib/errors';
import { sessionFilter } from '@/lib/lifecycle/objects';
import { SEED_RULE, drawingSeed, isValidSeed } from '@/lib/lifecycle/seed';
import { LIVE_STATUSES, isLive, type SessionStatus } from '@/lib/lifecycle/status';
import { LOCAL_ADMIN_ID } from '@/lib/auth/roles';
import { resolveServices } from '@/lib/scenario/schema';
import type { NextStep } from '@/lib/scoring/next-step';
import type { StoredReport } from '@/lib/scoring/session-report';
import type { Config } from '../config';
import type { ContainerRuntime } from '../runtime/runtime';
import type { SessionHolder, SessionRecord, Store } from '../store/store';
import type { TerminalDirectory, TerminalTarget } from '../terminal/gateway';
import { SessionActivity } from './activity';
import { AdmissionQueue } from './admission';
import type { Catalogue } from './catalogue';
import type { ConsoleManager } from './console';
import type { CustomerSignal } from './customer-signal';
import { customerView, labServices, type CustomerView } from './customer-view';
import { closeAfterRestart, closeSession, closeStuckEnding, saveReport } from './closing';
import { hideWhileLive, runGoalChecks } from './goals';
import { releaseHeld, type ReleaseResult } from './holding';
import { logDueInjects } from './injects';
import { interruptLive } from './interruption';
import { LearnerInput, type DiagnosisInput } from './learner-input';
import { newCulpritStart } from './new-culprit';
import type { EngineParts } from './parts';
import { SessionPool } from './pool';
import { Provisioner } from './provisioning';
import { SessionTasks } from './tasks';
import { mirrorOf, reportOf, terminalTargetOf, toListItem, toView, type GoalReport, type SessionHistoryItem, type SessionListItem, type SessionView } from './views';

export type { GoalReport, SessionHistoryItem, SessionListItem, SessionView };

export interface EngineDeps {
  store: Store;
  runtime: ContainerRuntime;
  catalogue: Catalogue;
  config: Config;
  /** Mixed into every seed so per-run answers cannot be computed offline from the seed alone. */
  seedSecret: string;
  clock?: () => number;
  log?: (message: string) => void;
  /** Shared with the console and the terminal gateway; made here when not given. */
  activity?: SessionActivity;
  /** The learner's console and proxy; without it sessions have no terminal (engine-only tests). */
  console?: ConsoleManager;
  /** The customers' per-second signal (customer-signal.ts); without it none is recorded. */
  signal?: CustomerSignal;
  /** Throws (409) when the host cannot take another session, e.g. the engine's disk is low (storage-budget.ts). */
  checkHostRoom?: () => void;
}

/** Called before a session's containers go (the terminal closes and flushes its recording). */
export type EndingHook = (sessionId: string) => Promise<void>;

export class SessionEngine implements TerminalDirectory {
  private readonly parts: EngineParts;
  private readonly seedSecret: string;
  private readonly consoles?: ConsoleManager;
  private readonly provisioner: Provisioner;
  private readonly pool: SessionPool;
  private readonly input: LearnerInput;
  private readonly endingHooks: EndingHook[] = [];
  private readonly checkHostRoom: () => void;
  /** Set by endAll: no new pooled sessions while shutting down. */
  private closing = false;
  /** Why no session can start now (the Docker engine is away), or null. */
  private engineDown: string | null = null;

  constructor(deps: EngineDeps) {
    const clock = deps.clock ?? Date.now;
    const log = deps.log ?? (() => {});
    this.parts = {
      store: deps.store,
      runtime: deps.runtime,
      catalogue: deps.catalogue,
      config: deps.config,
      clock,
      log,
      tasks: new SessionTasks(),
      activity: deps.activity ?? new SessionActivity(deps.store, deps.config.sessionTtlMs, clock, log),
      admission: new AdmissionQueue(deps.config.maxProvisioning, clock),
      signal: deps.signal,
    };
    this.seedSecret = deps.seedSecret;
    this.consoles = deps.console;
    this.checkHostRoom = deps.checkHostRoom ?? (() => {});
    this.provisioner = new Provisioner(this.parts, deps.console, (id) => this.teardown(id));
    this.pool = new SessionPool(this.parts, {
      start: (slug) => this.startSession(slug, crypto.randomBytes(6).toString('hex'), true),
      finish: (id, reason) => this.finish(id, reason),
      closing: () => this.closing,
    });
    this.input = new LearnerInput(this.parts, (id) => this.visible(id));
  }

  /** Registers work to do when a session ends, before its containers are removed. */
  onEnding(hook: EndingHook): void {
    this.endingHooks.push(hook);
  }

  busySessions(): Set<string> {
    return this.parts.tasks.busy();
  }

  /** Per-session bookkeeping held right now (diagnostics; all zero when nothing is in flight). */
  inFlight(): { running: number; cancelled: number } {
    return this.parts.tasks.size();
  }

  /** A session's own view: the only one that carries its terminal token. */
  get(id: string): SessionView {
    const record = this.visible(id);
    return toView(record, this.parts.admission.place(id), labServices(this.parts, record));
  }

  /** Sessions, newest first (at most 200): everyone's without a filter (session-access.ts narrows it). */
  list(filter: { owners?: readonly string[]; ids?: readonly string[]; statuses?: readonly SessionStatus[] } = {}): SessionListItem[] {
    return this.parts.store.listSessions({ limit: 200, ...filter }).map((r) => toListItem(r, labServices(this.parts, r)));
  }

  /** Who a (visible) session belongs to: what every access decision starts from. */
  ownerOf(id: string): string {
    return this.visible(id).ownerId;
  }

  /**
   * The session's event log as the learner may see it. While the session is live, what the
   * faults were stays hidden: their titles would name the root cause before the diagnosis.
   */
  events(id: string, afterId = 0): SessionEvent[] {
    const record = this.visible(id);
    logDueInjects(this.parts, record); // a drill's injects appear as their time comes (injects.ts)
    // Lab bookkeeping (lab-note) is never the learner's to see, live or not.
    const events = this.parts.store.listEvents(id, afterId).filter((e) => e.kind !== 'lab-note');
    if (!isLive(record.status) && record.status !== 'ending') return events;
    return hideWhileLive(this.parts, record.scenario, events);
  }

  /** The customers' per-second buckets and standard, for the chart (customer-view.ts). */
  customers = (id: string, since?: number): CustomerView => customerView(this.parts, this.visible(id), since);
  /** Activity keeps a session alive: push its idle deadline forward. */
  touch = (id: string): void => this.parts.activity.touch(id);

  /**
   * Creates a session and starts provisioning it in the background. Without a chosen seed, a
   * ready session from the pool (SICKBAY_POOL) is handed over at once when there is one. With
   * `newCulprit`, the seed (or pooled session) is one whose culprit the learner has not met in
   * this scenario yet, when there is one left (server/engine/new-culprit.ts). With `hold`, it
   * stops at `held` once provisioned, until release() (holding.ts); never from the pool.
   */
  create(input: { scenario: string; seed?: string; newCulprit?: boolean; ownerId?: string; coach?: boolean; learnerStart?: boolean; hold?: boolean }): SessionView {
    const entry = this.parts.catalogue.get(input.scenario);
    // Coach mode is the default when learners start drills themselves (the catalogue, tracks);
    // interviews and team drills start in exam mode. Written with the row, like the owner.
    const holder: SessionHolder = { ownerId: input.ownerId ?? LOCAL_ADMIN_ID, coach: input.coach ?? input.learnerStart === true };
    if (input.newCulprit && input.seed !== undefined) throw new SickbayError('bad_request', 'give either a seed or newCulprit, not both: a seed fixes the culprit');
    const fresh = input.newCulprit
      ? newCulpritStart({ entry, holder, seedSecret: this.seedSecret, store: this.parts.store, pool: this.pool, earlier: this.learnerSessions(holder.ownerId).map((h) => h.record) })
      : null;
    const claimed = fresh ? fresh.claimed : input.seed === undefined && !input.hold ? this.pool.claim(entry.slug, holder) : null;
    const record = claimed ?? this.startSession(entry.slug, input.seed ?? fresh?.seed ?? crypto.randomBytes(6).toString('hex'), false, holder, input.hold);
    return toView(record, this.parts.admission.place(record.id), labServices(this.parts, record));
  }

  /** A learner's sessions, newest first, with report summaries (lib/progress aggregates them); never pooled ones. */
  history(ownerId: string = LOCAL_ADMIN_ID): SessionHistoryItem[] {
    return this.learnerSessions(ownerId).map(({ record, report, team }) => ({ ...toListItem(record, labServices(this.parts, record)), report, team }));
  }

  /** Every session one learner owns or was a team member of, with report summaries: what history and "a new culprit" read. */
  private learnerSessions(ownerId: string): ReturnType<Store['listHistory']> {
    return this.parts.store.listHistory({ ownerId });
  }

  private startSession(slug: string, seed: string, pooled: boolean, holder?: SessionHolder, hold = false): SessionRecord {
    const { store, catalogue, config, clock, tasks } = this.parts;
    const entry = catalogue.get(slug);
    if (!isValidSeed(seed)) throw new SickbayError('bad_request', SEED_RULE);
    if (this.engineDown) throw new SickbayError('engine_unavailable', `no session can start right now: ${this.engineDown}. Try again once it is back.`);
    this.checkHostRoom();
    const live = store.countLive();
    if (live >= config.maxLiveSessions) {
      throw new SickbayError('conflict', `this lab already runs ${live} sessions (limit ${config.maxLiveSessions}); end one first`);
    }
    // Resolved once: the parameters stored with the session are the ones provisioning uses.
    const resolved = resolveServices(entry.file, entry.definition, drawingSeed(this.seedSecret, seed));
    const now = clock();
    const id = crypto.randomBytes(6).toString('hex');
    const record = store.insertSession({
      id,
      scenario: entry.slug,
      seed,
      params: resolved.params as Record<string, unknown>,
      now,
      expiresAt: now + config.sessionTtlMs,
      pooled,
      holder,
      hold,
    });
    store.appendEvent(id, { kind: 'lifecycle', status: 'queued', detail: `scenario ${entry.slug}, seed ${seed}${pooled ? ' (for the pool)' : ''}` }, now);
    tasks.track(id, this.provisioner.run(id, resolved, pooled));
    return record;
  }

  /** Releases held sessions all at one instant (a drill's Start), or none of them. */
  release(ids: readonly string[], detail: string): ReleaseResult {
    return releaseHeld(this.parts, ids, detail);
  }

  refillPool = (): Promise<void> => this.pool.refill();
  drainPool = (): Promise<void> => this.pool.drain();

  /** A session a learner may see: pooled ones do not exist for the API until claimed. */
  private visible(id: string): SessionRecord {
    const record = this.parts.store.requireSession(id);
    if (record.pooled) throw new SickbayError('not_found', `no session ${id}`);
    return record;
  }

  /** Resolves when nothing is in flight for the session (tests and shutdown use this). */
  settled = (id: string): Promise<void> => this.parts.tasks.settled(id);

  /** Runs the scenario's goal checks on the live containers and logs the outcome. */
  async checkGoals(id: string, options: { final?: boolean } = {}): Promise<GoalReport> {
    const record = this.visible(id);
    if (record.status !== 'ready') {
      throw new SickbayError('conflict', `goals can only be checked on a ready session (this one is ${record.status})`);
    }
    this.touch(id);
    return runGoalChecks(this.parts, record, options);
  }

  /** Ends a session: stops provisioning if it is still running, removes every object it owns. */
  async end(id: string, reason = 'ended by the learner'): Promise<SessionView> {
    this.visible(id);
    await this.finish(id, reason);
    return this.get(id);
  }

  /** Ends any session, pooled ones too (expiry, shutdown); only a claimed one gets a report. */
  private async finish(id: string, reason: string): Promise<void> {
    const { store, clock, log, tasks } = this.parts;
    const record = store.requireSession(id);
    if (record.status === 'ended' || record.status === 'ending') return;
    if (record.status === 'failed') {
      await this.teardown(id);
      return;
    }
    // The last goal check runs on the live system, before anything is torn down.
    if (record.status === 'ready' && !record.pooled && !tasks.has(id)) {
      await runGoalChecks(this.parts, record, { final: true }).catch((err) => log(`final check of ${id}: ${(err as Error).message}`));
    }
    tasks.cancel(id);
    try {
      store.transition(id, 'ending', clock(), reason);
    } catch (err) {
      tasks.forget(id); // not ending after all (a full disk): keep no cancel flag for it
      throw err;
    }
    this.parts.admission.cancel(id);
    // Read again: a learner may have claimed a pooled session a moment ago.
    const claimed = !store.requireSession(id).pooled;
    await tasks.settled(id);
    const withReport = record.status === 'ready' && claimed;
    const task = this.teardown(id).then(() => closeSession(this.parts, id, withReport));
    tasks.track(id, task);
    try {
      await task;
    } catch (err) {
      const e = toSickbayError(err);
      // The learner's work is all logged: a teardown that failed (the engine went away) must
      // not cost them the report. The sweep removes what is left.
      store.atomically(() => {
        store.transition(id, 'failed', clock(), `teardown failed: ${e.message}`);
        if (withReport) saveReport(this.parts, id);
      });
      throw e;
    } finally {
      tasks.forget(id);
    }
  }

  /** The terminal (its recording is flushed) and the proxy: nothing here needs the engine. */
  private async closeLearnerSide(id: string): Promise<void> {
    const { log } = this.parts;
    for (const hook of this.endingHooks) await hook(id).catch((err) => log(`closing the terminal of ${id}: ${(err as Error).message}`));
    await this.consoles?.detach(id).catch((err) => log(`closing the proxy of ${id}: ${(err as Error).message}`));
  }

  private async teardown(id: string): Promise<void> {
    const { store, runtime, config, clock } = this.parts;
    const started = clock();
    // The terminal first (its recording is flushed), then the proxy, then the containers.
    await this.closeLearnerSide(id);
    const objects = await runtime.listObjects(sessionFilter({ sessionId: id, instance: config.instance }));
    await runtime.removeObjects(objects);
    store.appendEvent(id, { kind: 'provision', phase: 'teardown', ms: clock() - started, detail: `${objects.length} objects removed` }, clock());
  }

  /** The stored report of an ended session. */
  report(id: string): StoredReport {
    return reportOf(this.visible(id), this.parts.store.getReport<StoredReport>(id));
  }

  /** Where the session's terminal recording is, once its terminal was opened. */
  recordingPath(id: string): string {
    const record = this.visible(id);
    if (!record.recordingPath) throw new SickbayError('not_found', 'this session has no recording: its terminal was never opened');
    return record.recordingPath;
  }

  submitDiagnosis(id: string, input: DiagnosisInput): SessionEvent {
    return this.input.submitDiagnosis(id, input);
  }

  submitUpdate(id: string, text: string, actor?: string): SessionEvent {
    return this.input.submitUpdate(id, text, actor);
  }

  takeHint(id: string, actor?: string): { index: number; text: string; remaining: number } {
    return this.input.takeHint(id, actor);
  }

  coachStep(id: string): NextStep | null {
    return this.input.coachStep(id);
  }

  hintsTaken(id: string): string[] {
    return this.input.hintsTaken(id);
  }

  /** The terminal gateway's directory: a ready, claimed session's console, else null. */
  terminalTarget(id: string): TerminalTarget | null {
    const target = terminalTargetOf(this.parts.store.getSession(id));
    const agents = target ? this.consoles?.agentsOf(id) : undefined;
    return target && agents ? { ...target, agents } : target;
  }

  /** Where a watcher opens the read-only mirror; the route decides who may (never part of a view). */
  mirror(id: string): { path: string; token: string } {
    return mirrorOf(this.visible(id));
  }

  /** After a crash or restart, live sessions have lost their server-side half: close them (the sweeper removes their containers). */
  recover(): string[] {
    return closeAfterRestart(this.parts);
  }

  /**
   * The Docker engine went away (engine-watch.ts): close every live session as interrupted,
   * without touching the engine, and refuse new starts until resume().
   */
  interrupt(reason: string): Promise<string[]> {
    this.engineDown = reason;
    return interruptLive(this.parts, { closeLearnerSide: (id) => this.closeLearnerSide(id), close: (id, withReport) => closeSession(this.parts, id, withReport) }, reason);
  }

  /** The engine is back: sessions may start again. */
  resume(): void {
    this.engineDown = null;
  }

  /** Ends sessions whose idle deadline has passed. */
  async expire(): Promise<string[]> {
    const { store, clock, log, tasks } = this.parts;
    const now = clock();
    const expired = store.listSessions({ statuses: LIVE_STATUSES, includePooled: true }).filter((s) => s.expiresAt <= now && !tasks.has(s.id));
    for (const s of expired) {
      await this.finish(s.id, s.pooled ? 'pooled session recycled after its idle time' : 'expired after being idle').catch((err) => log(`expiry of ${s.id}: ${(err as Error).message}`));
    }
    closeStuckEnding(this.parts);
    return expired.map((s) => s.id);
  }

  /** Ends every live session (graceful shutdown). */
  async endAll(reason: string): Promise<void> {
    this.closing = true;
    const live = this.parts.store.listSessions({ statuses: LIVE_STATUSES, includePooled: true });
    await Promise.all(live.map((s) => this.finish(s.id, reason).catch(() => {})));
  }

  /** The provisioning queue right now (admin page, benchmarks). */
  admissionStats(): { waiting: number; provisioning: number; capacity: number } {
    return this.parts.admission.stats();
  }
  isLive(id: string): boolean {
    const s = this.parts.store.getSession(id);
    return s !== null && isLive(s.status);
  }
}
