/**
 * Reconstructs the command lines a learner types from a terminal's input byte stream, the way
 * readline (bash) would edit them: printable characters insert at the cursor, BS/DEL delete,
 * Ctrl-U/Ctrl-W/Ctrl-K kill, Ctrl-C throws the line away, Enter (CR or LF) submits it.
 *
 * Some input cannot be replayed without the shell's own state: history recall (the shell's
 * history predates us), completion (TAB inserts what the shell finds), cursor movement and
 * word motions (vi mode, wide characters and readline settings change their meaning). Those
 * still get a best guess, but the line comes out `approximate: true` so scoring can treat it
 * as evidence, not as fact. Bracketed paste (ESC[200~ ... ESC[201~) inserts text literally;
 * a pasted multi-line block yields one line per non-empty row when submitted.
 *
 * This file decodes the keys (control characters, escape and control sequences, bracketed
 * paste) into editing commands on the line (./edit-buffer.ts), which holds the line itself.
 * Used by the Docker proxy (inside `docker exec -it`) and the console terminal.
 */
import { EditBuffer, type TypedLine } from './edit-buffer';

export type { TypedLine } from './edit-buffer';

export interface LineEditorOptions {
  /** Characters beyond this are dropped and the line marked approximate. */
  maxLineLength?: number;
  /** Lines remembered for arrow-up recall. */
  maxHistory?: number;
}

type Mode = 'text' | 'esc' | 'csi' | 'ss3' | 'paste';

const PASTE_END = '\x1b[201~';
const MAX_CSI = 32;

type Command = (line: EditBuffer) => void;
const NOTHING: Command = () => {};
/** A key we cannot follow: the shell alone knows what it did to the line. */
const MARK_APPROXIMATE: Command = (line) => line.markApproximate();
const HOME: Command = (line) => line.moveToStart();
const END: Command = (line) => line.moveToEnd();
const LEFT: Command = (line) => line.moveBy(-1);
const RIGHT: Command = (line) => line.moveBy(1);
const UP: Command = (line) => line.recall(-1);
const DOWN: Command = (line) => line.recall(1);
const DELETE: Command = (line) => line.deleteForward();
const BACKSPACE: Command = (line) => line.deleteBackward();

/** Control keys with a fixed meaning for the line (readline's emacs keys: Ctrl-A is Home, Ctrl-P is Up). */
const CONTROL_KEYS = new Map<string, Command>([
  ['\x7f', BACKSPACE],
  ['\x08', BACKSPACE],
  ['\x15', (line) => line.killToStart()], // Ctrl-U
  ['\x17', (line) => line.killWordBackward()], // Ctrl-W
  ['\x0b', (line) => line.killToEnd()], // Ctrl-K
  ['\x03', (line) => line.clear()], // Ctrl-C: the line is abandoned, nothing runs
  ['\x04', DELETE], // Ctrl-D: EOF on an empty line, else delete under the cursor
  ['\x01', HOME],
  ['\x05', END],
  ['\x02', LEFT],
  ['\x06', RIGHT],
  ['\x10', UP],
  ['\x0e', DOWN],
  ['\x19', (line) => line.yank()], // Ctrl-Y
  ['\x0c', NOTHING], // Ctrl-L clears the screen, not the line
  ['\x07', NOTHING],
  ['\x00', NOTHING],
  ['\x1a', NOTHING],
]);

/** The final byte of ESC [ X and ESC O X. */
const ARROWS = new Map<string, Command>([
  ['A', UP],
  ['B', DOWN],
  ['C', RIGHT],
  ['D', LEFT],
  ['H', HOME],
  ['F', END],
]);

/** ESC [ n ~ (Insert does nothing to the line; a stray end of paste neither). */
const TILDE_KEYS = new Map<string, Command>([
  ['1', HOME],
  ['7', HOME],
  ['4', END],
  ['8', END],
  ['3', DELETE],
  ['2', NOTHING],
  ['201', NOTHING],
]);

export class LineEditor {
  private readonly line: EditBuffer;
  private mode: Mode = 'text';
  private csi = '';
  private pasteMatch = 0;
  private afterCR = false;
  private pasteAfterCR = false;
  private quotedInsert = false;

  constructor(options: LineEditorOptions = {}) {
    this.line = new EditBuffer(options.maxLineLength ?? 4096, options.maxHistory ?? 500);
  }

  /** Feeds decoded terminal input; returns the lines completed by it, in order. */
  feed(chunk: string): TypedLine[] {
    const out: TypedLine[] = [];
    for (const ch of chunk) this.step(ch, out);
    return out;
  }

  /** The line being typed, not yet submitted. */
  get pending(): string {
    return this.line.text;
  }

  /** Inside a bracketed paste: an Enter now is text, not a submit. */
  get pasting(): boolean {
    return this.mode === 'paste';
  }

  /** Forgets the line being typed (e.g. when the shell's prompt is known to be fresh). */
  reset(): void {
    this.line.clear();
    this.mode = 'text';
    this.csi = '';
    this.pasteMatch = 0;
    this.quotedInsert = false;
  }

  private step(ch: string, out: TypedLine[]): void {
    switch (this.mode) {
      case 'esc':
        return this.escape(ch, out);
      case 'csi':
        return this.controlSequence(ch);
      case 'ss3':
        this.mode = 'text';
        return this.ss3(ch);
      case 'paste':
        return this.paste(ch);
      case 'text':
        return this.text(ch, out);
    }
  }

  private text(ch: string, out: TypedLine[]): void {
    if (this.quotedInsert) {
      this.quotedInsert = false;
      this.line.insert(ch);
      return;
    }
    const wasCR = this.afterCR;
    this.afterCR = false;
    const command = CONTROL_KEYS.get(ch);
    if (command) return command(this.line);
    switch (ch) {
      case '\r':
        this.line.submit(out);
        this.afterCR = true;
        return;
      case '\n':
        if (!wasCR) this.line.submit(out); // CR LF is one Enter
        return;
      case '\x1b':
        this.mode = 'esc';
        return;
      case '\x16': // Ctrl-V: insert the next character literally
        this.quotedInsert = true;
        return;
      default: {
        const code = ch.codePointAt(0) ?? 0;
        // TAB (completion), Ctrl-R/S (search), Ctrl-T (transpose), Ctrl-_ (undo), ...:
        // the shell changes the line in ways only it knows.
        if (code < 0x20) return this.line.markApproximate();
        if (code >= 0x80 && code < 0xa0) return;
        this.line.insert(ch);
      }
    }
  }

  private escape(ch: string, out: TypedLine[]): void {
    this.mode = 'text';
    switch (ch) {
      case '[':
        this.mode = 'csi';
        this.csi = '';
        return;
      case 'O':
        this.mode = 'ss3';
        return;
      case '\x7f':
      case '\x08': // Alt-Backspace: backward-kill-word (alphanumeric words)
        return this.line.killAlphanumericWordBackward();
      case 'b':
        return this.line.moveWordBackward();
      case 'f':
        return this.line.moveWordForward();
      case '\r':
      case '\n':
        this.line.markApproximate();
        return this.text(ch, out);
      default:
        // Alt-. (last argument), Alt-d, ESC ESC (completion), vi-mode commands, ...
        this.line.markApproximate();
    }
  }

  private controlSequence(ch: string): void {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x20 && code <= 0x3f) {
      this.csi += ch;
      if (this.csi.length > MAX_CSI) {
        this.mode = 'text';
        this.line.markApproximate();
      }
      return;
    }
    this.mode = 'text';
    if (code < 0x40 || code > 0x7e) return this.line.markApproximate();
    const params = this.csi;
    if (ch === '~') {
      if (params !== '200') return (TILDE_KEYS.get(params) ?? MARK_APPROXIMATE)(this.line);
      this.mode = 'paste';
      this.pasteMatch = 0;
      this.pasteAfterCR = false;
      return;
    }
    if (ch === 'I' || ch === 'O') return; // focus in/out reports
    if (params.includes(';')) {
      // Modified arrows (Ctrl/Alt + arrow): word motions; treat like the plain key.
      this.line.markApproximate();
    }
    this.arrow(ch);
  }

  private ss3(ch: string): void {
    if (ch >= 'P' && ch <= 'S') return; // F1-F4
    this.arrow(ch);
  }

  private arrow(final: string): void {
    (ARROWS.get(final) ?? MARK_APPROXIMATE)(this.line);
  }

  private paste(ch: string): void {
    if (ch === PASTE_END[this.pasteMatch]) {
      this.pasteMatch++;
      if (this.pasteMatch === PASTE_END.length) {
        this.mode = 'text';
        this.pasteMatch = 0;
      }
      return;
    }
    if (this.pasteMatch > 0) {
      // A partial terminator was really content: ESC is not text, the rest is.
      for (const c of PASTE_END.slice(1, this.pasteMatch)) this.pasteChar(c);
      this.pasteMatch = 0;
      if (ch === PASTE_END[0]) {
        this.pasteMatch = 1;
        return;
      }
    }
    this.pasteChar(ch);
  }

  private pasteChar(ch: string): void {
    const wasCR = this.pasteAfterCR;
    this.pasteAfterCR = ch === '\r';
    if (ch === '\r') return this.line.insert('\n');
    if (ch === '\n') {
      if (!wasCR) this.line.insert('\n');
      return;
    }
    if (ch === '\t') return this.line.insert(ch);
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) return;
    this.line.insert(ch);
  }
}

