/** Terminal gateways on loopback with fake ptys (no Docker), for the gateway's unit tests. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createTerminalGateway, type TerminalGateway, type TerminalGatewayOptions } from '@/server/terminal/gateway';
import { FakePty } from './fakes';

/** What the HTTP server does with an upgrade; by default the gateway alone decides, 404 otherwise. */
type Upgrade = (gateway: TerminalGateway, req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

const plainUpgrade: Upgrade = (gateway, req, socket, head) => {
  if (!gateway.handleUpgrade(req, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
};

export class LoopbackGateways {
  /** Every shell the gateways started, oldest first (a test may start afresh with []). */
  ptys: FakePty[] = [];
  private readonly running: { server: http.Server; gateway: TerminalGateway }[] = [];

  /** Gateways started so far (tests use it to give each its own recording file). */
  get count(): number {
    return this.running.length;
  }

  async start(options: TerminalGatewayOptions, upgrade: Upgrade = plainUpgrade): Promise<{ base: string; gateway: TerminalGateway }> {
    const spawn: TerminalGatewayOptions['spawn'] = (req) => {
      const p = new FakePty(req);
      this.ptys.push(p);
      return p;
    };
    const gateway = createTerminalGateway({ spawn, endShell: async () => {}, log: () => {}, ...options });
    const server = http.createServer((_q, s) => s.writeHead(404).end());
    server.on('upgrade', (req, socket, head) => upgrade(gateway, req, socket, head));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.running.push({ server, gateway });
    return { base: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, gateway };
  }

  /** Closes every gateway's terminals and its server (call it in the file's `after`). */
  async closeAll(): Promise<void> {
    for (const { server, gateway } of this.running) {
      await gateway.closeAll();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }
}
