/**
 * Builds the server's long-lived parts once per process: config, store, Docker runtime,
 * catalogue, engine and the periodic sweep. server.ts calls startServices() before serving;
 * route handlers reach the same instance through server/registry.ts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from './config';
import { Catalogue } from './engine/catalogue';
import { ConsoleManager } from './engine/console';
import { SessionEngine } from './engine/engine';
import { StorageGuard } from './engine/storage-budget';
import { registerServices, type Services } from './registry';
import { DockerRuntime } from './runtime/docker';
import { installHostFirewall } from './runtime/host-firewall';
import { sweepOnce } from './runtime/sweeper';
import { Store } from './store/store';
import { createTerminalGateway } from './terminal/gateway';

/** A per-installation secret, made once and kept in the data dir. */
function seedSecret(dataDir: string): string {
  const file = path.join(dataDir, 'seed-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(24).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

export async function startServices(options: { config?: Config; log?: (msg: string) => void; clock?: () => number } = {}): Promise<Services> {
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
  const storage = await StorageGuard.create({
    docker: runtime.docker,
    runtime,
    store,
    config,
    log,
    ...(options.clock ? { clock: options.clock } : {}),
    end: async (id, reason) => engineRef?.end(id, reason),
  });
  const catalogue = await Catalogue.load(config.scenariosDir);
  for (const err of catalogue.errors) log(`scenario not loaded: ${err.message}`);
  const clock = options.clock ?? Date.now;
  // Audit events of the learner's hands (proxy calls, typed lines) are activity, too.
  let engineRef: SessionEngine | null = null;
  const record = (sessionId: string, event: Parameters<Store['appendEvent']>[1]) => {
    try {
      store.appendEvent(sessionId, event, clock());
    } catch (err) {
      log(`could not log an event of ${sessionId}: ${(err as Error).message}`);
    }
  };
  const consoles = new ConsoleManager(runtime, config, (sessionId, event) => {
    record(sessionId, event);
    engineRef?.touch(sessionId);
  });
  const terminals = createTerminalGateway({
    lookup: (sessionId) => engineRef?.terminalTarget(sessionId) ?? null,
    isAllowedOrigin: (origin, host) => origin === undefined || origin === `http://${host}` || origin === `https://${host}`,
    audit: record,
    onActivity: (sessionId) => engineRef?.touch(sessionId),
    log,
  });
  const engine = new SessionEngine({
    store,
    runtime,
    catalogue,
    config,
    seedSecret: seedSecret(config.dataDir),
    log,
    clock,
    console: consoles,
    terminals,
    admit: () => storage.admit(),
  });
  engineRef = engine;

  for (const slug of Object.keys(config.pool)) {
    if (!catalogue.has(slug)) log(`SICKBAY_POOL names "${slug}", which is not a scenario here: ignored`);
  }
  const recovered = engine.recover();
  if (recovered.length) log(`closed ${recovered.length} session(s) interrupted by the last shutdown`);
  const sweep = async () => {
    await engine.expire();
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

  const services: Services = {
    config,
    store,
    runtime,
    catalogue,
    engine,
    terminals,
    sweep,
    async close() {
      clearInterval(timer);
      await storage.stop();
      await engine.endAll('the server shut down');
      await terminals.closeAll();
      await consoles.detachAll();
      await firewall.remove().catch((err) => log(`host firewall: could not remove ${firewall.table}: ${(err as Error).message}`));
      store.close();
    },
  };
  registerServices(services);
  return services;
}
