/**
 * Sickbay's HTTP server: Next.js for pages and the API, plus (from the console issue on) the
 * WebSocket upgrades of the terminal gateway, which Next route handlers cannot do.
 * Run through scripts/start.mjs (`npm start`), which prepares the engine and images first.
 */
import { createServer } from 'node:http';
import next from 'next';
import { loadConfig } from './server/config';
import { startServices } from './server/services';

const dev = process.argv.includes('--dev');
const config = loadConfig();
const services = await startServices({ config });

const server = createServer((req, res) => {
  handle(req, res).catch((err: unknown) => {
    console.error('[sickbay] request failed:', err);
    if (!res.headersSent) res.writeHead(500).end('internal error');
  });
});
// In dev, Next attaches its hot-reload upgrade listener to the server it is given.
const app = next({ dev, hostname: config.host, port: config.port, dir: process.cwd(), ...(dev ? { httpServer: server } : {}) });
const handle = app.getRequestHandler();
await app.prepare();

server.on('upgrade', (req, socket, head) => {
  if (services.terminals.handleUpgrade(req, socket, head)) return;
  // Dev mode's hot reload lives at /_next/webpack-hmr; Next attaches its own listener for it.
  if (dev && req.url?.startsWith('/_next/')) return;
  socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
});

server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`[sickbay] ready on http://${config.host}:${port} (data: ${config.dataDir}${dev ? ', dev mode' : ''})`);
});

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
