/**
 * Builds the server's long-lived parts once per process: config, store, Docker runtime,
 * catalogue, engine and the periodic sweep. server.ts calls startServices() before serving;
 * route handlers reach the same instance through server/registry.ts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LIVE_STATUSES } from '@/lib/lifecycle/status';
import { loadConfig, type Config } from './config';
import { Catalogue } from './engine/catalogue';
import { SessionActivity } from './engine/activity';
import { ConsoleManager } from './engine/console';
import { CustomerSignal } from './engine/customer-signal';
import { SessionEngine } from './engine/engine';
import { StorageGuard } from './engine/storage-budget';
import { Tracks } from './engine/tracks';
import { EngineWatch } from './engine/engine-watch';
import { registerServices, type Services } from './registry';
import { DockerRuntime } from './runtime/docker';
import { installHostFirewall } from './runtime/host-firewall';
import { sweepOnce } from './runtime/sweeper';
import { Store } from './store/store';
import { createTerminalGateway } from './terminal/gateway';
import { originAllowed, webAllowlist } from '@/lib/web/origin';
import { AuthService } from './auth/auth';
import { SessionAccess } from './auth/session-access';
import { endDrill } from './drills/drills';
import { DrillStore } from './drills/store';
import { CodeGuesses } from './drills/code-guesses';
import { SessionMembers } from './sessions/members';

/** A per-installation secret, made once and kept in the data dir. */
function seedSecret(dataDir: string): string {
  const file = path.join(dataDir, 'seed-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(24).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

export interface ServiceOptions {
  config?: Config;
  log?: (msg: string) => void;
  clock?: () => number;
  /** The terminal WebSocket's Origin check (server.ts passes its WebGuard's); default: the config's allowlist. */
  isAllowedOrigin?: (origin: string | undefined) => boolean;
}

export async function startServices(options: ServiceOptions = {}): Promise<Services> {
  const config = options.config ?? loadConfig();
  const log = options.log ?? ((msg: string) => console.log(`[sickbay] ${msg}`));
  const store = new Store(config.dataDir);
  const runtime = new DockerRuntime();
  await runtime.ping();
  // Before any session network exists; throws (refusing to start) when the firewall is required.
  const firewall = await installHostFirewall({ docker: runtime.docker, instance: config.instance, mode: config.hostFirewall, listenHost: config.host, log }).catch((err) => {
    store.close();
    throw err;
  });
  const catalogue = await Catalogue.load(config.scenariosDir);
  for (const err of catalogue.errors) log(`scenario not loaded: ${err.message}`);
  const tracks = await Tracks.load(config.tracksDir, catalogue.list().map((s) => s.slug));
  for (const err of tracks.errors) log(`track not loaded: ${err.message}`);
  const clock = options.clock ?? Date.now;
  // Built in dependency order, without back-references: the console and the terminal gateway
  // log the learner's activity through one shared object; the gateway finds consoles through
  // the engine, and the engine closes a session's terminal through its ending hook.
  const activity = new SessionActivity(store, config.sessionTtlMs, clock, log);
  // Team sessions (lib/auth/team.ts): the driver is credited with what the terminal and proxy log.
  const members = new SessionMembers(store, clock);
  activity.attributeTo((id) => members.driverOf(id));
  const consoles = new ConsoleManager(runtime, config, activity, (id) => store.getSession(id)?.coach ?? false);
  const signal = new CustomerSignal(config, store.db, clock, log);
  // The storage guard ends sessions over budget through the engine, and the engine asks it
  // before every new session whether the engine's disk can take one.
  const storage = await StorageGuard.create({ runtime, store, config, log, clock, end: (id, reason) => engine.end(id, reason) });
  const engine = new SessionEngine({
    store,
    runtime,
    catalogue,
    config,
    seedSecret: seedSecret(config.dataDir),
    log,
    clock,
    activity,
    console: consoles,
    signal,
    checkHostRoom: () => storage.checkRoom(),
  });
  const terminals = createTerminalGateway({
    directory: engine,
    // Against the allowlist, never the request's own Host (DNS rebinding sets both).
    isAllowedOrigin: options.isAllowedOrigin ?? ((origin) => origin === undefined || originAllowed(origin, webAllowlist(config))),
    audit: (sessionId, event) => activity.record(sessionId, event),
    onActivity: (sessionId) => activity.touch(sessionId),
    driverOf: (sessionId) => members.driverOf(sessionId),
    log,
  });
  members.onSeatChange((sessionId, driverId, memberIds) => terminals.seatDriver(sessionId, driverId, memberIds));
  engine.onEnding((sessionId) => terminals.closeSession(sessionId));
  engine.onEnding((sessionId) => signal.close(sessionId));
  const auth = new AuthService({ db: store.db, config: config.auth, publicUrl: config.publicUrl, clock });
  const access = new SessionAccess({ engine, store, auth, members, clock });
  const drills = new DrillStore(store.db, clock);
  auth.watchLinks.addSource((watcherId) => drills.watchLinks(watcherId));

  for (const slug of Object.keys(config.pool)) {
    if (!catalogue.has(slug)) log(`SICKBAY_POOL names "${slug}", which is not a scenario here: ignored`);
  }
  const recovered = engine.recover();
  if (recovered.length) log(`closed ${recovered.length} session(s) interrupted by the last shutdown`);
  const live = new Set(store.listSessions({ statuses: LIVE_STATUSES, includePooled: true }).map((s) => s.id));
  const staleSockets = consoles.removeStaleSockets(live);
  if (staleSockets) log(`removed ${staleSockets} proxy socket folder(s) the last process left`);
  const sweep = async () => {
    await engine.expire();
    // An interview ends at its time limit, whatever the candidate's browser shows.
    for (const { sessionId } of auth.interviews.overdue().filter((o) => engine.isLive(o.sessionId))) {
      await engine.end(sessionId, 'the interview’s time limit was reached').catch((err) => log(`ending interview session ${sessionId}: ${(err as Error).message}`));
    }
    // A drill ends at its time limit: every team's session, then the drill.
    for (const drillId of drills.overdue()) {
      await endDrill({ auth, engine, catalogue, store, drills, members, clock, log }, drillId, 'the drill’s time limit was reached').catch((err) => log(`ending drill ${drillId}: ${(err as Error).message}`));
    }
    auth.signins.prune();
    const removed = await sweepOnce({ runtime, store, instance: config.instance, busy: () => engine.busySessions(), clock });
    if (removed.length) log(`swept ${removed.length} leftover object(s): ${[...new Set(removed.map((d) => d.reason))].join('; ')}`);
    return removed;
  };
  await sweep();
  storage.start();
  // The pool fills in the background after start-up and tops up on every sweep.
  void engine.refillPool();
  const timer = setInterval(() => {
    sweep()
      .then(() => engine.refillPool())
      .catch((err) => log(`sweep failed: ${(err as Error).message}`));
  }, config.sweepIntervalMs);
  timer.unref();
  // The Docker engine going away interrupts every live session at once (engine-watch.ts).
  const watch = new EngineWatch({
    ping: () => runtime.ping(),
    events: () => runtime.docker.getEvents({ filters: { type: ['daemon'] } }),
    onDown: async (reason) => void (await engine.interrupt(reason)),
    onUp: async () => {
      engine.resume();
      await sweep();
      void engine.refillPool();
    },
    log,
  });
  watch.start();

  const services: Services = {
    config,
    store,
    runtime,
    catalogue,
    tracks,
    engine,
    terminals,
    auth,
    access,
    drills,
    codeGuesses: new CodeGuesses(clock),
    members,
    sweep,
    async close() {
      clearInterval(timer);
      watch.stop();
      await storage.stop();
      await engine.endAll('the server shut down');
      await terminals.closeAll();
      await consoles.detachAll();
      await signal.closeAll();
      await firewall.remove().catch((err) => log(`host firewall: could not remove ${firewall.table}: ${(err as Error).message}`));
      store.close();
    },
  };
  registerServices(services);
  return services;
}
