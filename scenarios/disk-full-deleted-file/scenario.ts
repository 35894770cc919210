/**
 * disk-full-deleted-file: a records API whose data volume is full although `du` finds only a
 * fraction of it in use. A log file was rotated away (deleted) while a process still had it
 * open, and that process kept writing into it until the volume had no space left; every new
 * record now fails with "No space left on device". The seed picks who holds the file: the API
 * itself (its DEBUG trace) or one of three helper processes in the same container, plus the
 * file's name and descriptor number. The fix frees the space without killing the API: empty
 * the file through the holder's descriptor (`: > /proc/<pid>/fd/<n>`), or, for a helper, end
 * that one helper.
 */
import { defineScenario, httpHealthcheck, keptRunning, requestsInARow, trafficService, runProbe } from '@/lib/scenario';
import type { ScenarioContext } from '@/lib/scenario';

/** What the API stores; its volume is /var/lib/<app>, its process `<app>-api`. */
export const APPS = ['orders', 'bookings', 'invoices', 'tickets', 'shipments'] as const;

/** Helper processes beside the API; at most 15 characters so `pgrep -x` matches. */
export const HELPER_NAMES = [
  'log-shipper',
  'audit-spooler',
  'metrics-agent',
  'journal-sync',
  'trace-recorder',
  'event-relay',
  'backup-agent',
  'req-sampler',
  'cache-warmer',
  'index-builder',
] as const;

/** The log that was rotated away; the deleted copy is `<name>.1`. */
export const LOG_FILES = ['debug.log', 'trace.log', 'audit.log', 'events.log', 'requests.log', 'capture.log'] as const;

export type HelperRole = 'trace' | 'tail' | 'idle';

export interface DiskFullParams {
  app: string;
  /** The API's process name, e.g. "orders-api". */
  apiName: string;
  /** The data volume (a tmpfs): /var/lib/<app>. */
  dataDir: string;
  port: number;
  volumeMb: number;
  /** Real records already on the volume, in MiB, spread over historyDays journal files. */
  historyMb: number;
  historyDays: number;
  /** Who holds the deleted file: the API itself, or one of the helpers. */
  holder: 'api' | 'helper';
  /** The holder's process name (apiName or a helper's name). */
  holderName: string;
  /** The three helpers, in start order; with a helper holder, its role is 'trace'. */
  helpers: { name: string; role: HelperRole }[];
  /** The log's path; the holder keeps writing to `${heldPath}.1` after the rotation deleted it. */
  heldPath: string;
  /** The descriptor number the holder asks for (the next free one above it if taken). */
  fd: number;
}

const LAB = '/opt/sickbay/lab';
/**
 * The integrity baseline is lab bookkeeping (ctx.note): kept in the session's record, outside
 * the container, where the learner — root in it — can neither read nor edit it. The check
 * script only ever sees it in a temporary file for the moment it runs.
 */
const BASELINE_NOTE = 'volume-baseline';

/** volume-check.py with the manifest in a temporary file that is gone when it returns (record prints it). */
function volumeCheck(mode: 'record' | 'verify', dataDir: string): string[] {
  const check = `python3 ${LAB}/volume-check.py ${mode} "$1" "$m"`;
  const body = mode === 'record' ? `${check} >/dev/null && cat "$m"` : `printf '%s' "$SICKBAY_BASELINE" > "$m" && ${check}`;
  return ['sh', '-c', `m=$(mktemp) || exit 1; ${body}; rc=$?; rm -f "$m"; exit $rc`, 'volume-check', dataDir];
}
/** The goal wants at least this share of the volume free. */
export const FREE_SHARE_GOAL = 0.5;
const PROBE_COUNT = 30;

export const recordsUrl = (p: DiskFullParams): string => `http://api:${p.port}/api/${p.app}`;

export function makeParams(rng: {
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
}): DiskFullParams {
  const app = rng.pick(APPS);
  const apiName = `${app}-api`;
  const dataDir = `/var/lib/${app}`;
  const volumeMb = rng.pick([24, 32, 40]);
  const historyMb = Math.max(3, Math.round((volumeMb * rng.int(15, 25)) / 100));
  const holder = rng.pick(['api', 'helper'] as const);
  const picked: string[] = rng.shuffle(HELPER_NAMES);
  const [first = 'log-shipper', second = 'metrics-agent', third = 'cache-warmer'] = picked;
  const helpers: DiskFullParams['helpers'] =
    holder === 'helper'
      ? rng.shuffle([
          { name: first, role: 'trace' as const },
          { name: second, role: 'tail' as const },
          { name: third, role: 'idle' as const },
        ])
      : rng.shuffle([
          { name: first, role: 'tail' as const },
          { name: second, role: 'idle' as const },
          { name: third, role: 'idle' as const },
        ]);
  return {
    app,
    apiName,
    dataDir,
    port: rng.int(8000, 8999),
    volumeMb,
    historyMb,
    historyDays: rng.int(4, 9),
    holder,
    holderName: holder === 'api' ? apiName : first,
    helpers,
    heldPath: `${dataDir}/log/${rng.pick(LOG_FILES)}`,
    fd: rng.int(5, 48),
  };
}

/** `df -P -k` of one mount point: sizes in KiB. */
export function parseDf(stdout: string): { sizeKb: number; usedKb: number; availKb: number } | null {
  const line = stdout.trim().split('\n').pop() ?? '';
  const cols = line.trim().split(/\s+/);
  if (cols.length < 6) return null;
  const [sizeKb = NaN, usedKb = NaN, availKb = NaN] = cols.slice(1, 4).map(Number);
  if (![sizeKb, usedKb, availKb].every(Number.isFinite) || sizeKb <= 0) return null;
  return { sizeKb, usedKb, availKb };
}

interface IntegrityResult {
  files: number;
  intact: number;
  missing: string[];
  changed: string[];
  bytes: number;
}

const mib = (kb: number): string => (kb / 1024).toFixed(1);

async function volume(ctx: ScenarioContext<DiskFullParams>) {
  const run = await ctx.exec('api', ['df', '-P', '-k', ctx.params.dataDir]);
  return run.exitCode === 0 ? parseDf(run.stdout) : null;
}

export default defineScenario<DiskFullParams>({
  title: 'Every new record fails to save',
  summary:
    'Every new record fails with "No space left on device". Find where the space went and free it without restarting the API or losing a record.',
  difficulty: 'intermediate',
  minutes: 20,
  tags: ['api', 'errors', 'storage'],
  params: (rng) => makeParams(rng),
  diagnosis: {
    culpritLabel: 'the process holding the deleted file',
    categories: [
      { id: 'deleted-open-file', label: 'A deleted file is still held open by a process and keeps taking space' },
      { id: 'data-growth', label: 'The stored records have outgrown the volume: old data must be archived' },
      { id: 'volume-too-small', label: 'The volume is too small for normal traffic and must be resized' },
      { id: 'inode-exhaustion', label: 'Too many small files: the volume ran out of inodes' },
      { id: 'memory-leak', label: 'A process leaks memory and starves the container' },
    ],
    truth: (p) => ({
      category: 'deleted-open-file',
      culprit: p.holderName,
      culpritKind: 'process',
      accept: p.holder === 'api' ? [`/usr/local/bin/${p.apiName}`, 'pid 1'] : [`/usr/local/bin/${p.holderName}`],
    }),
  },
  hints: [
    'Start outside: what does the API log when a record fails, and which volume is it writing to (`docker inspect` shows the mounts)? How full is that volume, and how much do its files add up to?',
    '`df` counts the space a file system has handed out; `du` adds up the files it can reach by name. A file that was deleted while a process still has it open has no name any more, but keeps its space until the last descriptor closes: `lsof +L1` (or `find /proc/*/fd -lname "*(deleted)"`) lists them.',
    'No kill and no restart needed: empty the file through the holder\'s descriptor, `: > /proc/<pid>/fd/<n>` (or `truncate -s 0` on that path). Save what you want to keep from it first (`tail -c 1M /proc/<pid>/fd/<n> > file`).',
  ],
  // What a running session costs the host: the API and its customers; the volume is a tmpfs inside the API's memory.
  cost: { cpus: 0.5, memory: '192m', startWeight: 1 },
  protocol: {
    affectedServices: ['api'],
    snapshotExpected: true,
    // Saved `lsof +L1` / `ls -l /proc/<pid>/fd` output holds the evidence: who held what.
    // (`docker commit` does not capture a tmpfs, nor any process's descriptors.)
    snapshotEvidence: ['filesystem', 'process-state'],
    restartAllowed: false,
    stressed: false,
    causeHints: ['deleted file', 'deleted log', 'open file', 'file descriptor', 'log rotation', 'rotated log', 'disk full', 'no space'],
  },
  // The records API answers in milliseconds when its disk has room.
  servedNormally: { successRate: 0.99, p95Ms: 1000 },
  networks: { app: {} },
  services: (p) => ({
    api: {
      command: ['/srv/app/start-api.sh'],
      env: { PORT: String(p.port), APP_NAME: p.app },
      networks: ['app'],
      healthcheck: httpHealthcheck(p.port),
      // The tmpfs counts against the memory limit: 160m leaves ~100 MiB for the processes.
      limits: { memory: '160m', cpus: 0.5, pids: 128 },
      tmpfs: { [p.dataDir]: `${p.volumeMb}m` },
    },
    traffic: trafficService({ url: recordsUrl(p), rps: 3, networks: ['app'] }),
  }),
  faults: [
    {
      id: 'rotated-while-open',
      title: 'A log is rotated away while its writer keeps the file open and fills the volume',
      inject: async (ctx) => {
        const p = ctx.params;
        const seeded = await ctx.exec('api', ['python3', `${LAB}/seed-history.py`, p.dataDir, String(p.historyMb), String(p.historyDays), p.heldPath.split('/').pop() ?? 'debug.log']);
        if (seeded.exitCode !== 0) throw new Error(`seeding the volume failed: ${seeded.stderr.trim()}`);
        for (const h of p.helpers) {
          const env: Record<string, string> = { HELPER_ROLE: h.role, DATA_DIR: p.dataDir };
          if (h.role === 'trace') Object.assign(env, { HELPER_FILE: p.heldPath, HELPER_FD: String(p.fd) });
          await ctx.exec('api', ['/srv/app/start-helper.sh', h.name], { detach: true, env });
        }
        if (p.holder === 'api') {
          // The API's DEBUG trace, switched on the way an operator would (a signal), at p.fd.
          const on = await ctx.exec('api', ['sh', '-c', `printf '%s %s\\n' "$1" "$2" > "/run/$3.debug" && kill -USR1 1`, 'sh', p.heldPath, String(p.fd), p.apiName]);
          if (on.exitCode !== 0) throw new Error(`turning the trace on failed: ${on.stderr.trim()}`);
        }
        // Rotate once the trace has some content (it grows ~2 MiB/s): rename, compress, delete.
        for (let i = 0; i < 100; i++) {
          const size = await ctx.exec('api', ['stat', '-c', '%s', p.heldPath]);
          if (size.exitCode === 0 && Number(size.stdout.trim()) >= 256 * 1024) break;
          await ctx.sleep(200);
        }
        const rotated = await ctx.exec('api', ['/usr/local/sbin/rotate-logs', p.heldPath]);
        if (rotated.exitCode !== 0) throw new Error(`rotation failed: ${rotated.stderr.trim()}`);
      },
      waitFor: {
        description: 'the data volume full and the API failing to save records',
        until: async (ctx) => {
          const v = await volume(ctx);
          if (!v || v.availKb > 64) return false;
          const result = await runProbe(ctx, { url: recordsUrl(ctx.params), count: 3, timeoutS: 3, stopOnFailure: false });
          return typeof result !== 'string' && result.failed >= 2;
        },
        timeoutMs: 90_000,
      },
    },
    {
      id: 'record-baseline',
      title: 'Record the journal files the API had confirmed (the lab\'s integrity baseline)',
      inject: async (ctx) => {
        const run = await ctx.exec('api', volumeCheck('record', ctx.params.dataDir));
        if (run.exitCode !== 0 || !run.stdout.trim().startsWith('{')) throw new Error(`recording the baseline failed: ${run.stderr.trim()}`);
        await ctx.note(BASELINE_NOTE, run.stdout.trim());
      },
    },
  ],
  goals: [
    {
      id: 'space-freed',
      // A restart closes the deleted file's last descriptor too: the space comes back by itself.
      restartMeets: true,
      title: 'The data volume has room again (at least half of it free)',
      outcome: 'The API can store new records again, with room to spare',
      check: async (ctx) => {
        const v = await volume(ctx);
        if (!v) return { pass: false, evidence: 'Could not read the data volume\'s usage (is the API container running?).' };
        const used = Math.round((v.usedKb / v.sizeKb) * 100);
        const evidence = `The data volume is ${used}% used (${mib(v.availKb)} MiB free of ${mib(v.sizeKb)} MiB).`;
        return { pass: v.availKb >= v.sizeKb * FREE_SHARE_GOAL, evidence };
      },
    },
    keptRunning('api', 'The API'),
    { ...requestsInARow({ id: 'writes-succeed', title: `The API saves ${PROBE_COUNT} new records in a row`, url: recordsUrl, count: PROBE_COUNT, timeoutS: 3, what: 'new records', verb: 'were saved' }), restartMeets: true },
    {
      id: 'records-intact',
      guard: true,
      title: 'Every record saved before the incident is still on the volume, unchanged',
      outcome: 'No customer record was lost or altered',
      check: async (ctx) => {
        const baseline = await ctx.recall(BASELINE_NOTE);
        if (!baseline) return { pass: false, evidence: 'The lab has no record of the journal files from before the incident.' };
        const run = await ctx.exec('api', volumeCheck('verify', ctx.params.dataDir), { env: { SICKBAY_BASELINE: baseline } });
        let r: IntegrityResult;
        try {
          r = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as IntegrityResult;
        } catch {
          return { pass: false, evidence: `Could not check the journal files (exit ${run.exitCode}): ${(run.stderr || run.stdout).trim().slice(0, 200)}` };
        }
        if (r.intact === r.files) {
          return { pass: true, evidence: `All ${r.files} journal files are intact (${mib(r.bytes / 1024)} MiB of saved records).` };
        }
        const lost = [...r.missing.map((f) => `${f} is gone`), ...r.changed.map((f) => `${f} was changed`)];
        return { pass: false, evidence: `${r.files - r.intact} of ${r.files} journal files lost records: ${lost.slice(0, 3).join(', ')}${lost.length > 3 ? ', …' : ''}.` };
      },
    },
  ],
});
