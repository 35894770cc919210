/**
 * A team-mode server of a spec's own (PORT=0, its own data dir and instance), so the suite's
 * shared server stays in personal mode; and the first admin made with `npm run admin -- create`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * How long a page may wait for a fresh session's terminal: the engine retries a failed start
 * once (#18), and each attempt may take the readiness deadline (90 s) plus the fault's wait
 * (60 s) on a busy machine.
 */
export const SESSION_START_MS = 2 * (90_000 + 60_000);

export interface TeamServer {
  base: string;
  /** Creates an account from the command line and returns its set-password link. */
  createAdmin(email: string): string;
  stop(): Promise<void>;
}

export async function startTeamServer(name: string): Promise<TeamServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `sickbay-e2e-${name}-`));
  const env = { ...process.env, NODE_ENV: 'production' as const, NEXT_TELEMETRY_DISABLED: '1', SICKBAY_HOST: '127.0.0.1', PORT: '0', SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: `e2e-${name}-${process.pid}` };
  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // The server's whole output is kept beside the test's results (Playwright's output folder),
  // so a session that never got ready shows why (a failed start, the engine's retry).
  const logFile = path.join(root, 'test-results', `team-server-${name}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.createWriteStream(logFile);
  console.log(`[e2e] the ${name} team server logs to ${logFile}`);
  let out = '';
  const keep = (c: Buffer) => {
    out += c.toString();
    log.write(c);
  };
  server.stdout?.on('data', keep);
  server.stderr?.on('data', keep);
  const deadline = Date.now() + 120_000;
  let base = '';
  while (!base) {
    if (server.exitCode !== null) throw new Error(`the team server exited:\n${out}`);
    if (Date.now() > deadline) throw new Error(`the team server did not start:\n${out}`);
    base = /ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? '';
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    createAdmin(email) {
      const printed = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', 'create', email], { cwd: root, env: { ...env, PORT: new URL(base).port }, encoding: 'utf8' });
      const link = /(http:\/\/\S+\/auth\/set-password\?token=\S+)/.exec(printed)?.[1];
      if (!link) throw new Error(`npm run admin printed no link:\n${printed}`);
      return link;
    },
    async stop() {
      if (server.exitCode === null) {
        const done = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        await done;
      }
      await new Promise((r) => log.end(r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
