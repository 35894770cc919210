/**
 * Finds (and on a fresh Debian machine, installs and starts) the Docker engine.
 *
 * Why raw HTTP instead of `docker info`: the CLI may be missing or point at another context,
 * and it can hang for a long time on a dead socket. GET /_ping with a 3 s timeout is the
 * cheapest honest answer to "is an engine listening here?". Node built-ins only.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { SetupError, step } from './progress.mjs';
import { aptInstall, isRootOnDebian, run, tailLines, which } from './run.mjs';

export const DEFAULT_SOCKET = '/var/run/docker.sock';
const PING_TIMEOUT_MS = 3000;
const START_TIMEOUT_MS = 60_000;
const POLL_MS = 250;

const INSTALL_HINT =
  'Install Docker Engine (e.g. apt-get install docker.io) and start it, or set DOCKER_HOST.';

/**
 * Turns a DOCKER_HOST value into request options. Pure, so it is unit-tested.
 * Why only unix:// and tcp://: those are what node:http can reach; ssh:// needs a client.
 *
 * @param {string | undefined} value DOCKER_HOST; empty = the default unix socket
 * @param {{ tlsVerify?: boolean }} [options] DOCKER_TLS_VERIFY set: tcp uses https on 2376
 * @returns {{ socketPath: string, dockerHost: string } |
 *   { host: string, port: number, tls: boolean, dockerHost: string }}
 */
export function parseDockerHost(value, { tlsVerify = false } = {}) {
  if (!value) return { socketPath: DEFAULT_SOCKET, dockerHost: `unix://${DEFAULT_SOCKET}` };
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw badHost(value);
    return { socketPath, dockerHost: value };
  }
  if (value.startsWith('tcp://')) {
    let url;
    try {
      url = new URL(`http://${value.slice('tcp://'.length)}`);
    } catch {
      throw badHost(value);
    }
    const port = url.port ? Number(url.port) : tlsVerify ? 2376 : 2375;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return { host, port, tls: tlsVerify, dockerHost: value };
  }
  throw badHost(value);
}

function badHost(value) {
  return new SetupError(`DOCKER_HOST="${value}" is not supported by the bootstrap`, {
    code: 'BAD_DOCKER_HOST',
    hint: 'Use unix:///path/to/docker.sock or tcp://host:port (DOCKER_TLS_VERIFY=1 for TLS).',
  });
}

/** Why a function: the endpoint follows the environment of the moment (tests change it). */
export function resolveEndpoint(env = process.env) {
  return parseDockerHost(env.DOCKER_HOST, { tlsVerify: Boolean(env.DOCKER_TLS_VERIFY) });
}

/** Why read certs the CLI's way: DOCKER_CERT_PATH or ~/.docker holds ca/cert/key.pem. */
function tlsOptions() {
  const dir = process.env.DOCKER_CERT_PATH || path.join(os.homedir(), '.docker');
  const read = (name) => fs.readFileSync(path.join(dir, name));
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

/**
 * One GET against the engine's API. Why so small: the bootstrap needs only /_ping and
 * /version; everything else goes through the docker CLI or, later, dockerode.
 *
 * @returns {Promise<{ status: number, body: string }>}
 */
export function dockerGet(endpoint, urlPath, { timeoutMs = PING_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const options = endpoint.socketPath
      ? { socketPath: endpoint.socketPath, path: urlPath }
      : { host: endpoint.host, port: endpoint.port, path: urlPath, ...(endpoint.tls ? tlsOptions() : {}) };
    const client = endpoint.tls ? https : http;
    const req = client.get({ ...options, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/**
 * True when an engine answers GET /_ping with "OK" within the timeout; never throws.
 * Why never throw: "no engine" is an expected answer on a fresh machine, not an error.
 */
export async function ping(endpoint = resolveEndpoint(), { timeoutMs = PING_TIMEOUT_MS } = {}) {
  return (await probe(endpoint, { timeoutMs })).ok;
}

/**
 * Like ping(), but says why not. Why: "permission denied" on the socket needs a different fix
 * (docker group) than "nothing listens" (install/start the engine).
 * @returns {Promise<{ ok: boolean, code?: string }>} code: the socket error code, e.g. EACCES
 */
export async function probe(endpoint = resolveEndpoint(), { timeoutMs = PING_TIMEOUT_MS } = {}) {
  try {
    const res = await dockerGet(endpoint, '/_ping', { timeoutMs });
    return res.status === 200 && res.body.trim() === 'OK' ? { ok: true } : { ok: false, code: `HTTP_${res.status}` };
  } catch (err) {
    return { ok: false, code: err?.code ?? 'TIMEOUT' };
  }
}

/** Why: the report line "engine 20.10.24 (API 1.41)" is the first thing to check in a bug. */
export async function engineVersion(endpoint = resolveEndpoint()) {
  const res = await dockerGet(endpoint, '/version');
  if (res.status !== 200) throw new Error(`GET /version answered ${res.status}`);
  const v = JSON.parse(res.body);
  return { version: String(v.Version), apiVersion: String(v.ApiVersion) };
}

/**
 * Polls /_ping until it answers, the deadline passes or `exited()` says the daemon died.
 * Why poll at 250 ms: dockerd usually takes 1-3 s; a finer poll buys nothing.
 * @returns {Promise<boolean>}
 */
export async function waitForPing(endpoint, { timeoutMs = START_TIMEOUT_MS, exited = () => false } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ping(endpoint, { timeoutMs: Math.min(PING_TIMEOUT_MS, Math.max(1, deadline - Date.now())) })) return true;
    if (exited()) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return false;
}

/**
 * Starts a daemon in the background and waits for it to answer.
 * Why detached + unref + log file: the engine must outlive this script (the server and
 * later runs use it), and its output must go somewhere a user can read after a failure.
 * `command`/`args` are parameters so the mechanics can be tested with a stand-in daemon.
 *
 * @param {{ dataDir: string, endpoint: object, command?: string, args?: string[],
 *   timeoutMs?: number, logName?: string }} options
 * @returns {Promise<{ pid: number, logFile: string }>}
 */
export async function startDaemon({ dataDir, endpoint, command = 'dockerd', args = [], timeoutMs = START_TIMEOUT_MS, logName = 'dockerd.log' }) {
  fs.mkdirSync(dataDir, { recursive: true });
  const logFile = path.join(dataDir, logName);
  const fd = fs.openSync(logFile, 'a');
  fs.writeSync(fd, `\n--- ${new Date().toISOString()} starting ${command} ${args.join(' ')}\n`);
  const child = spawn(which(command) ?? command, args, { detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  let exitInfo = null;
  child.on('exit', (code, signal) => { exitInfo = { code, signal }; });
  child.on('error', (err) => { exitInfo = { code: null, signal: null, err }; });
  child.unref();
  const up = await waitForPing(endpoint, { timeoutMs, exited: () => exitInfo !== null });
  if (up) return { pid: child.pid, logFile };
  if (!exitInfo) child.kill('SIGTERM'); // it never answered: do not leave a half-started daemon
  const why = exitInfo?.err ? exitInfo.err.message : exitInfo ? `it exited (code ${exitInfo.code ?? exitInfo.signal})` : `no answer within ${timeoutMs / 1000}s`;
  throw new SetupError(`${command} did not come up: ${why}`, {
    code: 'ENGINE_START_FAILED',
    details: `last lines of ${logFile}:\n${tailLines(readOr(logFile, ''))}`,
    hint: `Read ${logFile}; fix the cause, or start Docker yourself and run again.`,
  });
}

function readOr(file, fallback) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/**
 * The pid of a dockerd that is running but not (yet) answering, or null.
 * Why: starting a second dockerd would fail on the pid file; waiting for the first is right.
 */
function runningDockerdPid() {
  const pid = Number.parseInt(readOr('/var/run/docker.pid', ''), 10);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return readOr(`/proc/${pid}/comm`, '').trim() === 'dockerd' ? pid : null;
}

/** Why: on a machine booted with systemd the service manager should own dockerd. */
async function trySystemctl(endpoint) {
  if (!fs.existsSync('/run/systemd/system') || !which('systemctl')) return false;
  const res = await run('systemctl', ['start', 'docker'], { timeoutMs: START_TIMEOUT_MS });
  return res.code === 0 && (await waitForPing(endpoint));
}

/**
 * Makes sure a Docker engine answers, installing and starting one when that is possible.
 *
 * Order: DOCKER_HOST if set, else /var/run/docker.sock. When nothing answers and we are root
 * on Debian (the fresh lab machine), install docker.io if dockerd is missing and start it.
 * We never start a local daemon for a DOCKER_HOST that points elsewhere: clients would still
 * talk to the address in DOCKER_HOST, so the user must fix that address instead.
 *
 * @param {{ dataDir: string, write?: (line: string) => void }} options dataDir: logs go here
 * @returns {Promise<{ socketPath?: string, host?: string, port?: number, dockerHost: string,
 *   started: boolean, version: string, apiVersion: string }>}
 *   dockerHost: a DOCKER_HOST value for child processes (docker CLI) to reach this engine
 */
export async function ensureEngine({ dataDir, write } = {}) {
  if (!dataDir) throw new Error('ensureEngine needs a dataDir for its logs');
  const endpoint = resolveEndpoint();
  let started = false;
  const first = await probe(endpoint);
  if (first.code === 'EACCES') {
    throw new SetupError(`permission denied on the Docker socket ${endpoint.socketPath}`, {
      code: 'ENGINE_PERMISSION',
      hint: 'Add your user to the docker group (sudo usermod -aG docker "$USER", then log in again), or run as root.',
    });
  }
  if (!first.ok) {
    const isDefault = endpoint.socketPath === DEFAULT_SOCKET;
    if (!isDefault) {
      throw new SetupError(`no Docker engine answers at DOCKER_HOST=${endpoint.dockerHost}`, {
        code: 'ENGINE_UNREACHABLE',
        hint: 'Start the engine behind DOCKER_HOST, or unset DOCKER_HOST to use the local one.',
      });
    }
    if (!isRootOnDebian()) {
      throw new SetupError(`no Docker engine answers at ${DEFAULT_SOCKET}`, { code: 'NO_ENGINE', hint: INSTALL_HINT });
    }
    await startLocalEngine(endpoint, dataDir, write);
    started = true;
  }
  const { version, apiVersion } = await engineVersion(endpoint);
  const { tls: _tls, ...where } = endpoint;
  return { ...where, started, version, apiVersion };
}

/** Why separate: the install-and-start path is long and only runs on a fresh machine. */
async function startLocalEngine(endpoint, dataDir, write) {
  const stepOpts = write ? { write } : {};
  if (!which('dockerd')) {
    await step('installing Docker Engine (apt-get install docker.io)', () =>
      aptInstall(['docker.io'], { logFile: path.join(dataDir, 'apt.log') }), stepOpts);
    // The package's own scripts may have started it already.
    if (await ping(endpoint)) return;
  }
  await step('starting the Docker engine', async () => {
    if (runningDockerdPid() && (await waitForPing(endpoint))) return;
    if (await trySystemctl(endpoint)) return;
    await startDaemon({ dataDir, endpoint });
  }, stepOpts);
}
