/**
 * Writes a session's terminal recording (asciicast v2) to disk as it happens. Events collect
 * in an AsciicastStream and are appended every `flushMs` (250 ms by default) or sooner when a
 * lot is pending, so a killed server loses well under a second. The file is opened once in
 * append mode; writes are queued one after another, never in parallel.
 *
 * Reopening an existing recording (the terminal was closed and opened again in the same
 * session) continues it: t = 0 stays the old header's timestamp and times keep increasing.
 *
 * A write that fails (the data disk is full) drops that chunk, cuts any partly written line
 * off the file again, and the next flush tries anew: once there is room, recording goes on
 * with a marker event saying how much was lost, instead of stopping for good.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AsciicastStream, parseAsciicastEvent, parseAsciicastHeader } from '@/lib/terminal/asciicast';

export interface RecordingWriterOptions {
  path: string;
  cols: number;
  rows: number;
  env?: Record<string, string>;
  title?: string;
  clock?: () => number;
  flushMs?: number;
  /** Output characters recorded at most (default 64 Mi); input and resizes are always kept. */
  maxOutputChars?: number;
  log?: (message: string) => void;
  /** Appends a chunk (test seam; default: fs.write until all of it is written). */
  writeChunk?: (fd: number, buf: Buffer, done: (err: NodeJS.ErrnoException | null) => void) => void;
}

const EARLY_FLUSH_CHARS = 256 * 1024;
const TAIL_READ_BYTES = 64 * 1024;

/** The header and the time of the last complete event of an existing recording, if valid. */
function readExisting(file: string): { timestamp: number; lastT: number } | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return null;
    const head = Buffer.alloc(Math.min(size, 4096));
    fs.readSync(fd, head, 0, head.length, 0);
    const firstLine = head.toString('utf8').split('\n')[0] ?? '';
    const header = parseAsciicastHeader(firstLine);
    if (!header) return null;
    const tailLen = Math.min(size, TAIL_READ_BYTES);
    const tail = Buffer.alloc(tailLen);
    fs.readSync(fd, tail, 0, tailLen, size - tailLen);
    let lastT = 0;
    for (const line of tail.toString('utf8').split('\n').reverse()) {
      const e = parseAsciicastEvent(line);
      if (e) {
        lastT = e[0];
        break;
      }
    }
    return { timestamp: header.timestamp, lastT };
  } finally {
    fs.closeSync(fd);
  }
}

export class RecordingWriter {
  readonly path: string;
  private readonly stream: AsciicastStream;
  private readonly clock: () => number;
  private readonly log: (message: string) => void;
  private fd: number | null;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly writeChunk: NonNullable<RecordingWriterOptions['writeChunk']>;
  /** Bytes of the file known to be complete lines: a failed write is cut back to this. */
  private size = 0;
  /** Bytes dropped since the last successful write (a full disk), noted in a marker. */
  private lostBytes = 0;
  private closed = false;

  /** Opens (creating directories and the header as needed) synchronously: it is a few syscalls. */
  constructor(options: RecordingWriterOptions) {
    this.path = options.path;
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? (() => {});
    this.writeChunk = options.writeChunk ?? ((fd, buf, done) => writeAll(fd, buf, done));
    fs.mkdirSync(path.dirname(options.path), { recursive: true });
    const existing = readExisting(options.path);
    // A file without a valid header (torn by a crash before the first line was complete) is
    // moved aside rather than appended to: a reader would reject the whole file otherwise.
    if (!existing && fs.existsSync(options.path) && fs.statSync(options.path).size > 0) {
      fs.renameSync(options.path, `${options.path}.broken-${Date.now()}`);
    }
    this.stream = new AsciicastStream({
      startMs: existing ? existing.timestamp * 1000 : this.clock(),
      maxOutputChars: options.maxOutputChars ?? 64 * 1024 * 1024,
    });
    this.fd = fs.openSync(options.path, 'a', 0o640);
    this.size = fs.fstatSync(this.fd).size;
    if (existing) {
      this.stream.resumeAt(existing.lastT);
      // The size may differ from the last recorded one: restate it.
      this.stream.resize(this.clock(), options.cols, options.rows);
    } else {
      this.size += fs.writeSync(this.fd, `${this.stream.header(options.cols, options.rows, options.env ?? {}, options.title)}\n`);
    }
    this.timer = setInterval(() => this.flushSoon(), options.flushMs ?? 250);
    this.timer.unref();
  }

  /** Wall-clock ms of the recording's t = 0. */
  get startMs(): number {
    return this.stream.startMs;
  }

  output(text: string): void {
    if (this.closed) return;
    this.stream.output(this.clock(), text);
    if (this.stream.pendingSize > EARLY_FLUSH_CHARS) this.flushSoon();
  }

  input(text: string): void {
    if (this.closed) return;
    this.stream.input(this.clock(), text);
  }

  resize(cols: number, rows: number): void {
    if (this.closed) return;
    this.stream.resize(this.clock(), cols, rows);
  }

  marker(label: string): void {
    if (this.closed) return;
    this.stream.marker(this.clock(), label);
  }

  /** Queues what is pending for writing; returns when everything queued so far is written. */
  flush(): Promise<void> {
    this.flushSoon();
    return this.chain;
  }

  private flushSoon(): void {
    if (this.fd === null) return;
    if (this.lostBytes > 0 && this.stream.pendingSize > 0) {
      this.stream.marker(this.clock(), `${this.lostBytes} bytes of this recording were lost: the server could not write them (disk full?)`);
    }
    const text = this.stream.drain();
    if (!text) return;
    const fd = this.fd;
    const buf = Buffer.from(text, 'utf8');
    this.chain = this.chain.then(
      () =>
        new Promise<void>((resolve) => {
          this.writeChunk(fd, buf, (err) => {
            if (!err) {
              if (this.lostBytes > 0) this.log(`recording ${this.path}: writing again after ${this.lostBytes} lost bytes`);
              this.size += buf.length;
              this.lostBytes = 0;
              return resolve();
            }
            if (this.lostBytes === 0) this.log(`recording ${this.path}: write failed (${err.message}); dropping output until there is room`);
            this.lostBytes += buf.length;
            // A half-written chunk would leave a torn line for every reader: cut it off.
            fs.ftruncate(fd, this.size, () => resolve());
          });
        }),
    );
  }

  /** Flushes and closes the file. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flushSoon();
    await this.chain;
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) await new Promise<void>((resolve) => fs.close(fd, () => resolve()));
  }
}

function writeAll(fd: number, buf: Buffer, done: (err: NodeJS.ErrnoException | null) => void, offset = 0): void {
  fs.write(fd, buf, offset, buf.length - offset, null, (err, written) => {
    if (err) return done(err);
    if (offset + written < buf.length) return writeAll(fd, buf, done, offset + written);
    done(null);
  });
}
