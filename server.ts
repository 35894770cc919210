/**
 * Sickbay's HTTP server: Next.js for pages and the API, plus (from the console issue on) the
 * WebSocket upgrades of the terminal gateway, which Next route handlers cannot do.
 * Run through scripts/start.mjs (`npm start`), which prepares the engine and images first.
 */
import { createServer } from 'node:http';
import next from 'next';
import { loadConfig } from './server/config';
import { startServices } from './server/services';
import { WebGuard } from './server/web/guard';
import { AuthDoor } from './server/auth/door';
import { bindRefusal } from './server/auth/bind';

const dev = process.argv.includes('--dev');
const config = loadConfig();
// A non-loopback address without accounts would hand every terminal to the network.
const refusal = bindRefusal(config);
if (refusal) {
  console.error(`[sickbay] ${refusal}`);
  process.exit(1);
}
// Host allowlist, CSRF and security headers for every request and upgrade (server/web/guard.ts).
const guard = new WebGuard({ port: config.port, publicUrl: config.publicUrl, dev });
const services = await startServices({ config, isAllowedOrigin: guard.isAllowedOrigin });
// Who the request is (personal mode: the local admin; team mode: a sign-in or an API token).
const door = new AuthDoor(services.auth, () => guard.allowlist(), config.auth.trustProxy);

const server = createServer((req, res) => {
  if (guard.screen(req, res)) return;
  if (door.screen(req, res)) return;
  handle(req, res).catch((err: unknown) => {
    console.error('[sickbay] request failed:', err);
    if (!res.headersSent) res.writeHead(500).end('internal error');
  });
});
// Registered before Next's own dev listener, so a foreign Host is refused before anything else.
server.on('upgrade', (req, socket, head) => {
  if (guard.screenUpgrade(req, socket)) return;
  // Dev mode's hot reload lives at /_next/webpack-hmr; Next attaches its own listener for it.
  if (dev && req.url?.startsWith('/_next/')) return;
  const principal = door.screenUpgrade(req, socket);
  if (!principal) return;
  // A fresh scope per answer: an open mirror asks again when its session's team changes.
  const gate = (id: string, mirror: boolean) => services.access.as(principal).terminalVerdict(id, mirror);
  if (services.terminals.handleUpgrade(req, socket, head, gate, principal.user.id)) return;
  socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
});

// In dev, Next attaches its hot-reload upgrade listener to the server it is given.
const app = next({ dev, hostname: config.host, port: config.port, dir: process.cwd(), ...(dev ? { httpServer: server } : {}) });
const handle = app.getRequestHandler();
await app.prepare();

server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  guard.listening(port);
  services.auth.listening(port);
  if (!isLoopback(config.host) && !config.publicUrl) {
    console.log(`[sickbay] listening on ${config.host}, but only loopback names are accepted in the Host header: set SICKBAY_PUBLIC_URL to the address people use`);
  }
  const team = services.auth.teamMode();
  const code = team ? services.auth.setupCode() : null;
  if (code) {
    console.log(`[sickbay] no admin yet: open ${services.auth.baseUrl()}/setup and enter the setup code ${code} (or run: npm run admin -- create <email>)`);
  }
  console.log(`[sickbay] ready on http://${config.host}:${port} (data: ${config.dataDir}${dev ? ', dev mode' : ''}${team ? ', team mode: sign-in required' : ''})`);
});

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`[sickbay] ${signal}: ending live sessions and stopping`);
  const force = setTimeout(() => process.exit(1), 30_000);
  force.unref();
  server.close();
  await services.close().catch((err: unknown) => console.error('[sickbay] shutdown:', err));
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
