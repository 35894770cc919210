/**
 * 2. Keystroke echo: one character typed over the terminal WebSocket of a real server until it
 * comes back in the output, against the floor — the same console and bash through node-pty
 * running `docker exec -it <console> bash` here, no gateway. Blocks of the two alternate so
 * drift on the machine hits both alike.
 */
import { objectName } from '@/lib/lifecycle/objects';
import type { BenchServer } from '../lib/server';
import { ratio, summarize, type Summary } from '../lib/stats';
import { BarePtyTypist, echoSamples, WebSocketTypist } from '../lib/terminal';

export interface EchoResult {
  samples: number;
  paceMs: number;
  gateway: Summary;
  barePty: Summary;
  /** gateway / bare pty, at the median and at p99. */
  ratioP50: number | null;
  ratioP99: number | null;
  /** A protocol ping -> pong on the same socket: the WebSocket hop and the server's event loop, no pty, ms. */
  wsRoundTrip: Summary;
}

/** Samples per turn before the other side takes over: small, so a burst of background work lands on both. */
const BLOCK = 10;
const PACE_MS = 20;

export async function benchEcho(server: BenchServer, opts: { samples: number; log: (m: string) => void }): Promise<EchoResult> {
  const s = await server.readySession('bench-echo');
  const ws = new WebSocketTypist(server.url, s.id, s.terminal.token);
  const bare = new BarePtyTypist(objectName(s.id, 'console'));
  try {
    await ws.ready();
    await bare.ready();
    const gateway: number[] = [];
    const barePty: number[] = [];
    await echoSamples(ws, { samples: 0, warmup: 20, paceMs: PACE_MS });
    await echoSamples(bare, { samples: 0, warmup: 20, paceMs: PACE_MS });
    for (let block = 0; gateway.length < opts.samples; block++) {
      const n = Math.min(BLOCK, opts.samples - gateway.length);
      const order = block % 2 === 0 ? [ws, bare] : [bare, ws];
      for (const typist of order) {
        const got = await echoSamples(typist, { samples: n, paceMs: PACE_MS });
        (typist === ws ? gateway : barePty).push(...got);
      }
    }
    const pings: number[] = [];
    for (let i = -10; i < Math.min(opts.samples, 200); i++) {
      const ms = await ws.ping();
      if (i >= 0) pings.push(ms);
      await new Promise((r) => setTimeout(r, PACE_MS));
    }
    const g = summarize(gateway, 2);
    const b = summarize(barePty, 2);
    opts.log(`echo over the gateway p50 ${g.median} ms p99 ${g.p99} ms; bare pty p50 ${b.median} ms p99 ${b.p99} ms`);
    const rt = summarize(pings, 2);
    opts.log(`WebSocket ping -> pong (no pty): p50 ${rt.median} ms p99 ${rt.p99} ms`);
    return { samples: opts.samples, paceMs: PACE_MS, gateway: g, barePty: b, ratioP50: ratio(g.median, b.median), ratioP99: ratio(g.p99, b.p99), wsRoundTrip: rt };
  } finally {
    await ws.close();
    await bare.close();
    await server.endSession(s.id).catch((err) => opts.log(`ending the echo session: ${(err as Error).message}`));
  }
}
