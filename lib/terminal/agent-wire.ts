/**
 * The wire between the terminal gateway and sickbay-pty, the agent in the learner's console that
 * runs the shell behind a pty of its own (containers/console/sickbay-pty.c). Pure.
 *
 * The agent connects to the session's terminal socket and sends one line, `SICKBAY-PTY 1 <token>`,
 * then frames go both ways: type (1 byte), payload length (2 bytes, big-endian), payload.
 *   gateway -> agent: 'i' input for the shell; 'r' resize (cols, rows: 2 bytes each)
 *   agent -> gateway: 'p' the shell's pid (4 bytes); 'o' output; 'x' exit (code, signal: 4 bytes each)
 *
 * The other end runs as the learner, who can replace it: everything read from it is untrusted
 * (bounded hello, frames checked, a bad frame ends the connection).
 */
import { SickbayError } from '../errors';

export const AGENT_HELLO_PREFIX = 'SICKBAY-PTY 1 ';
/** The hello line is short; anything longer is not the agent. */
export const AGENT_HELLO_MAX = 160;
export const AGENT_MAX_PAYLOAD = 0xffff;
const HEADER = 3;

/** The token that pairs an agent's connection with a shell the gateway asked for; null if the line is not a hello. */
export function parseAgentHello(line: string): string | null {
  if (!line.startsWith(AGENT_HELLO_PREFIX)) return null;
  const token = line.slice(AGENT_HELLO_PREFIX.length);
  return /^[A-Za-z0-9_-]{16,128}$/.test(token) ? token : null;
}

function frame(type: string, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out[0] = type.charCodeAt(0);
  out.writeUInt16BE(payload.length, 1);
  out.set(payload, HEADER);
  return out;
}

/** Input for the shell, as frames of at most AGENT_MAX_PAYLOAD bytes, in one buffer. */
export function encodeInput(data: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += AGENT_MAX_PAYLOAD) parts.push(frame('i', data.subarray(at, at + AGENT_MAX_PAYLOAD)));
  return Buffer.concat(parts);
}

export function encodeResize(cols: number, rows: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt16BE(cols, 0);
  payload.writeUInt16BE(rows, 2);
  return frame('r', payload);
}

export type AgentFrame = { type: 'output'; data: Buffer } | { type: 'pid'; pid: number } | { type: 'exit'; code: number; signal: number };

/** Frames from the agent, from a byte stream cut anywhere. */
export class AgentFrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  /** The whole frames completed by `chunk`; throws SickbayError (bad_request) on a frame the agent never sends. */
  push(chunk: Buffer): AgentFrame[] {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: AgentFrame[] = [];
    let at = 0;
    while (buf.length - at >= HEADER) {
      const length = buf.readUInt16BE(at + 1);
      if (buf.length - at < HEADER + length) break;
      const payload = buf.subarray(at + HEADER, at + HEADER + length);
      frames.push(decodeFrame(String.fromCharCode(buf[at]!), payload));
      at += HEADER + length;
    }
    // Copy the rest: a subarray would keep the whole chunk alive.
    this.pending = at === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(at));
    return frames;
  }
}

function decodeFrame(type: string, payload: Buffer): AgentFrame {
  if (type === 'o') return { type: 'output', data: payload };
  if (type === 'p' && payload.length === 4) return { type: 'pid', pid: payload.readUInt32BE(0) };
  if (type === 'x' && payload.length === 8) return { type: 'exit', code: payload.readInt32BE(0), signal: payload.readInt32BE(4) };
  throw new SickbayError('bad_request', `unexpected frame from the console's agent (type 0x${type.charCodeAt(0).toString(16)}, ${payload.length} bytes)`);
}
