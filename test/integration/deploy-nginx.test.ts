/**
 * docs/deploy.md's reverse proxy, for real: Debian's nginx runs docs/deploy/nginx.conf (names,
 * certificate paths and ports filled in) with a self-signed certificate made here by openssl,
 * in front of the real server with SICKBAY_PUBLIC_URL=https://... and SICKBAY_TRUST_PROXY=1.
 * Through it: the first-run page with the setup code from the log, a Secure __Host- sign-in
 * cookie, a session started from "our page", and the terminal WebSocket (wss) opening a shell.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { freePort, removeInstanceObjects, ROOT, type ServerProcess, startServer, tempDataDir, testInstance, waitFor } from './helpers';

const NAME = 'lab.sickbay.test';
const instance = testInstance();
const dataDir = tempDataDir();
const proxyDir = tempDataDir('sickbay-nginx-');
let nginx: ChildProcess | null = null;
let nginxLog = '';
let server: ServerProcess;
let proxyPort = 0;
let origin = '';
let ca: Buffer;

/** One request through nginx over TLS, as a browser on the public name would send it. */
function through(method: string, route: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port: proxyPort, servername: NAME, ca, method, path: route, agent: false, headers: { host: `${NAME}:${proxyPort}`, ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${route} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

before(async () => {
  // A self-signed certificate for the public name (it is its own CA here).
  const key = path.join(proxyDir, 'privkey.pem');
  const cert = path.join(proxyDir, 'fullchain.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${NAME}`, '-addext', `subjectAltName=DNS:${NAME}`, '-keyout', key, '-out', cert], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  ca = fs.readFileSync(cert);

  proxyPort = await freePort();
  const appPort = await freePort();
  origin = `https://${NAME}:${proxyPort}`;
  server = await startServer({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: instance, PORT: String(appPort), SICKBAY_PUBLIC_URL: origin, SICKBAY_TRUST_PROXY: '1' });

  // docs/deploy/nginx.conf as shipped, with this test's names, paths and ports.
  const site = fs
    .readFileSync(path.join(ROOT, 'docs/deploy/nginx.conf'), 'utf8')
    .replace('listen 443 ssl;', `listen 127.0.0.1:${proxyPort} ssl;`)
    .replaceAll('lab.example.com', NAME)
    .replaceAll('/etc/ssl/sickbay/', `${proxyDir}/`)
    .replace('proxy_pass http://127.0.0.1:3000;', `proxy_pass http://127.0.0.1:${appPort};`);
  assert.ok(site.includes(`127.0.0.1:${proxyPort} ssl`) && site.includes(`127.0.0.1:${appPort}`), 'the example has the lines the test fills in');
  fs.writeFileSync(path.join(proxyDir, 'sickbay.conf'), site);
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.mkdirSync(path.join(proxyDir, d));
  fs.writeFileSync(
    path.join(proxyDir, 'nginx.conf'),
    [
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      'worker_processes 1;',
      `error_log ${proxyDir}/error.log;`,
      `pid ${proxyDir}/nginx.pid;`,
      'events { worker_connections 64; }',
      'http {',
      `  access_log ${proxyDir}/access.log;`,
      ...['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((d) => `  ${d === 'body' ? 'client_body' : d}_temp_path ${proxyDir}/${d};`),
      `  include ${proxyDir}/sickbay.conf;`,
      '}',
    ].join('\n'),
  );
  nginx = spawn('nginx', ['-p', proxyDir, '-c', path.join(proxyDir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  nginx.stdout?.on('data', (c: Buffer) => (nginxLog += c.toString()));
  nginx.stderr?.on('data', (c: Buffer) => (nginxLog += c.toString()));
  await waitFor('nginx to listen', async () => {
    if (nginx?.exitCode !== null) throw new Error(`nginx exited: ${nginxLog}`);
    return (await through('GET', '/signin').catch(() => null))?.status === 200;
  }, 30_000, 200);
});

after(async () => {
  if (nginx && nginx.exitCode === null) {
    const done = new Promise((r) => nginx?.once('exit', r));
    nginx.kill('SIGQUIT');
    await done;
  }
  await server?.stop('SIGTERM');
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(proxyDir, { recursive: true, force: true });
});

describe('behind nginx with TLS (docs/deploy.md)', () => {
  let cookie = '';
  const page = () => ({ origin, 'sec-fetch-site': 'same-origin', cookie, 'content-type': 'application/json' });

  it('is team mode: signed out, the API says 401 and pages go to the sign-in', async () => {
    assert.equal((await through('GET', '/api/sessions')).status, 401);
    const home = await through('GET', '/');
    assert.equal(home.status, 303);
    assert.equal(home.headers.location, '/signin?next=%2F');
    assert.match(String(home.headers['strict-transport-security']), /max-age=31536000/, 'HSTS from nginx');
  });

  it('makes the first admin with the setup code from the log, and signs in with a Secure __Host- cookie', async () => {
    const code = /setup code ([A-Z2-9]{10})/.exec(server.output())?.[1];
    assert.ok(code, `the server printed a setup code:\n${server.output()}`);
    assert.match(server.output(), new RegExp(`open ${origin.replace(/\./g, '\\.')}/setup`));
    const wrong = await through('POST', '/api/auth/setup', page(), JSON.stringify({ code: 'WRONGWRONG', email: 'ada@example.com', password: 'correct horse battery' }));
    assert.equal(wrong.status, 403);
    const res = await through('POST', '/api/auth/setup', page(), JSON.stringify({ code, email: 'ada@example.com', password: 'correct horse battery' }));
    assert.equal(res.status, 201, res.text);
    const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-sickbay='));
    assert.ok(set, 'the sign-in cookie');
    assert.match(set, /; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
    cookie = set.split(';')[0] as string;
    const me = await through('GET', '/api/me', { cookie });
    assert.equal(me.status, 200, me.text);
    assert.equal((JSON.parse(me.text) as { user: { role: string } }).user.role, 'admin');
  });

  it('starts a session from our page and opens its terminal over wss', async () => {
    const created = await through('POST', '/api/sessions', page(), JSON.stringify({ scenario: 'leaky-job', seed: 'nginx' }));
    assert.equal(created.status, 201, created.text);
    const id = (JSON.parse(created.text) as { id: string }).id;
    const terminal = await waitFor(
      'the session to be ready',
      async () => {
        const s = JSON.parse((await through('GET', `/api/sessions/${id}`, { cookie })).text) as { status: string; statusDetail: string | null; terminal: { path: string; token: string } | null };
        if (s.status === 'failed') throw new Error(`provisioning failed: ${s.statusDetail}`);
        return s.status === 'ready' ? s.terminal : null;
      },
      180_000,
      500,
    );
    // The TLS options reach tls.connect; ws's types do not list servername.
    const tlsTo = (headers: Record<string, string>) => ({ ca, servername: NAME, headers: { host: `${NAME}:${proxyPort}`, origin, ...headers } }) as unknown as WebSocket.ClientOptions;
    const ws = new WebSocket(`wss://127.0.0.1:${proxyPort}${terminal.path}?token=${terminal.token}`, tlsTo({ cookie }));
    const first = await new Promise<{ type: string; shell: string }>((resolve, reject) => {
      ws.once('message', (data) => resolve(JSON.parse(String(data)) as { type: string; shell: string }));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    assert.equal(first.type, 'attached');
    ws.close();
    // Without the cookie the same upgrade is refused: the WebSocket checks the user too.
    const anonymous = new WebSocket(`wss://127.0.0.1:${proxyPort}${terminal.path}?token=${terminal.token}`, tlsTo({}));
    const status = await new Promise<number>((resolve) => {
      anonymous.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      anonymous.once('open', () => resolve(101));
      anonymous.once('error', () => resolve(-1));
    });
    assert.equal(status, 401);
  });
});
