/**
 * The terminal WebSocket protocol (documented for people in docs/api.md, "Terminal WebSocket").
 * Shared by the gateway (server/terminal/gateway.ts) and the browser (app/_components/Terminal.tsx),
 * so both sides parse and build the same messages.
 *
 *   URL       /ws/terminal/<sessionId>?token=<session token>[&cols=N&rows=N]
 *             /ws/terminal/<sessionId>/mirror?token=<mirror token>   (read-only watchers)
 *   server -> client, binary frame   raw pty output bytes (UTF-8, may split a character)
 *   server -> client, text frame     a JSON control message (ServerMessage)
 *   client -> server, text frame     a JSON control message (ClientMessage)
 *   client -> server, binary frame   not allowed (closed with 1003)
 */

export const PROTOCOL_VERSION = 1;
export const TERMINAL_PATH_PREFIX = '/ws/terminal/';
/** Largest client message accepted (bytes, the ws maxPayload). */
export const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;
/** Longest `data` of one input message, in UTF-16 units; clients split bigger pastes. */
export const MAX_INPUT_CHARS = 16 * 1024;
export const MIN_COLS = 2;
export const MAX_COLS = 1000;
export const MIN_ROWS = 1;
export const MAX_ROWS = 500;

/** Close codes. 1000-1011 are the standard ones; 4000-4999 are ours. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  policy: 1008,
  tooBig: 1009,
  serverError: 1011,
  /** Another connection attached to the same terminal (a second tab): this one is detached. */
  replaced: 4000,
  /** No input for the idle timeout. The shell keeps running; reconnect to continue. */
  idle: 4001,
  /** The session ended; the terminal is gone for good. */
  sessionEnded: 4002,
  /** The shell exited (the learner typed `exit`); connecting again starts a new one. */
  shellExited: 4003,
  /** A mirror fell too far behind the live output; reconnecting replays the recent screen. */
  mirrorBehind: 4004,
} as const;

export type ClientMessage =
  | { type: 'input'; data: string }
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'ack'; bytes: number }
  | { type: 'ping' };

export type ServerMessage =
  | {
      type: 'attached';
      protocol: number;
      /** 'new': a shell was started for this connection; 'existing': reattached to a running one. */
      shell: 'new' | 'existing';
      /** Bytes of recent output that follow as binary frames before live output. */
      replayBytes: number;
      cols: number;
      rows: number;
      /** Acknowledge rendered output at least every this many bytes. */
      ackEvery: number;
      /** A read-only watcher's connection: it sends no input, resize or ack. */
      mirror?: boolean;
    }
  /** To mirrors: the owner's terminal changed size. */
  | { type: 'size'; cols: number; rows: number }
  | { type: 'exit'; code: number; signal?: number }
  /** To a team member who is not driving: their input was not sent to the shell, and why. */
  | { type: 'refused'; message: string }
  | { type: 'pong' };

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; error: string };

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/**
 * Parses one client text frame strictly: a JSON object with a known `type` and exactly the keys
 * that type has. Anything else is an error (the gateway closes the connection with 1008).
 */
export function parseClientMessage(text: string): ParseResult {
  if (text.length > MAX_CLIENT_MESSAGE_BYTES) return { ok: false, error: 'message too large' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'not a JSON object' };
  const m = value as Record<string, unknown>;
  const keys = Object.keys(m).sort().join(',');
  switch (m.type) {
    case 'input':
      if (keys !== 'data,type') return { ok: false, error: 'input takes exactly {type, data}' };
      if (typeof m.data !== 'string') return { ok: false, error: 'input data must be a string' };
      if (m.data.length > MAX_INPUT_CHARS) return { ok: false, error: `input data longer than ${MAX_INPUT_CHARS} characters` };
      return { ok: true, message: { type: 'input', data: m.data } };
    case 'resize':
      if (keys !== 'cols,rows,type') return { ok: false, error: 'resize takes exactly {type, cols, rows}' };
      if (!isInt(m.cols, MIN_COLS, MAX_COLS) || !isInt(m.rows, MIN_ROWS, MAX_ROWS)) {
        return { ok: false, error: `resize needs integer cols ${MIN_COLS}-${MAX_COLS} and rows ${MIN_ROWS}-${MAX_ROWS}` };
      }
      return { ok: true, message: { type: 'resize', cols: m.cols, rows: m.rows } };
    case 'ack':
      if (keys !== 'bytes,type') return { ok: false, error: 'ack takes exactly {type, bytes}' };
      if (!isInt(m.bytes, 0, 2 ** 31)) return { ok: false, error: 'ack bytes must be a non-negative integer' };
      return { ok: true, message: { type: 'ack', bytes: m.bytes } };
    case 'ping':
      if (keys !== 'type') return { ok: false, error: 'ping takes exactly {type}' };
      return { ok: true, message: { type: 'ping' } };
    default:
      return { ok: false, error: 'unknown message type' };
  }
}

export function encodeClientMessage(message: ClientMessage): string {
  return JSON.stringify(message);
}

export function encodeServerMessage(message: ServerMessage): string {
  return JSON.stringify(message);
}

/** Parses a server text frame (the browser side); null for anything unexpected. */
export function parseServerMessage(text: string): ServerMessage | null {
  try {
    const m = JSON.parse(text) as Record<string, unknown> | null;
    if (!m || typeof m !== 'object') return null;
    if (m.type === 'attached' && typeof m.replayBytes === 'number' && typeof m.cols === 'number' && typeof m.rows === 'number') {
      return {
        type: 'attached',
        protocol: typeof m.protocol === 'number' ? m.protocol : 0,
        shell: m.shell === 'new' ? 'new' : 'existing',
        replayBytes: m.replayBytes,
        cols: m.cols,
        rows: m.rows,
        ackEvery: typeof m.ackEvery === 'number' && m.ackEvery > 0 ? m.ackEvery : 16 * 1024,
        ...(m.mirror === true ? { mirror: true } : {}),
      };
    }
    if (m.type === 'size' && typeof m.cols === 'number' && typeof m.rows === 'number') return { type: 'size', cols: m.cols, rows: m.rows };
    if (m.type === 'exit' && typeof m.code === 'number') {
      return { type: 'exit', code: m.code, ...(typeof m.signal === 'number' ? { signal: m.signal } : {}) };
    }
    if (m.type === 'refused' && typeof m.message === 'string') return { type: 'refused', message: m.message };
    if (m.type === 'pong') return { type: 'pong' };
    return null;
  } catch {
    return null;
  }
}

/**
 * Splits input into messages of at most MAX_INPUT_CHARS, never between the two halves of a
 * surrogate pair (a split pair would reach the shell as two U+FFFD).
 */
export function splitInput(data: string, max = MAX_INPUT_CHARS): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < data.length) {
    let end = Math.min(data.length, i + max);
    const last = data.charCodeAt(end - 1);
    if (end < data.length && end - i > 1 && last >= 0xd800 && last <= 0xdbff) end -= 1;
    out.push(data.slice(i, end));
    i = end;
  }
  return out;
}

const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MIRROR_SUFFIX = '/mirror';

/** What a terminal URL path names: a session's terminal, as its owner or as a read-only mirror. */
export interface TerminalRoute {
  sessionId: string;
  mirror: boolean;
}

/** The route of a terminal URL path, or null when the path is not a valid one of ours. */
export function parseTerminalPath(pathname: string): TerminalRoute | null {
  if (!pathname.startsWith(TERMINAL_PATH_PREFIX)) return null;
  let rest = pathname.slice(TERMINAL_PATH_PREFIX.length);
  const mirror = rest.endsWith(MIRROR_SUFFIX);
  if (mirror) rest = rest.slice(0, -MIRROR_SUFFIX.length);
  return SESSION_ID.test(rest) ? { sessionId: rest, mirror } : null;
}

/** The path a watcher's read-only mirror connects to (its token goes in ?token=). */
export function mirrorPath(sessionId: string): string {
  return `${TERMINAL_PATH_PREFIX}${encodeURIComponent(sessionId)}${MIRROR_SUFFIX}`;
}

/** The path and query a browser connects to (without scheme and host). */
export function terminalUrlPath(sessionId: string, token: string, size?: { cols: number; rows: number }, options: { mirror?: boolean } = {}): string {
  const q = new URLSearchParams({ token });
  if (size) {
    q.set('cols', String(size.cols));
    q.set('rows', String(size.rows));
  }
  return `${options.mirror ? mirrorPath(sessionId) : `${TERMINAL_PATH_PREFIX}${encodeURIComponent(sessionId)}`}?${q.toString()}`;
}

/** Terminal size from the connect URL's query, clamped; the default when absent or invalid. */
export function sizeFromQuery(query: URLSearchParams, fallback = { cols: 80, rows: 24 }): { cols: number; rows: number } {
  const cols = Number(query.get('cols'));
  const rows = Number(query.get('rows'));
  return {
    cols: isInt(cols, MIN_COLS, MAX_COLS) ? cols : fallback.cols,
    rows: isInt(rows, MIN_ROWS, MAX_ROWS) ? rows : fallback.rows,
  };
}
