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
      case '\x7f':
      case '\x08':
        return this.line.deleteBackward();
      case '\x15': // Ctrl-U: kill back to the start
        return this.line.killToStart();
      case '\x17': // Ctrl-W: kill the previous whitespace-delimited word
        return this.line.killWordBackward();
      case '\x0b': // Ctrl-K: kill to the end
        return this.line.killToEnd();
      case '\x03': // Ctrl-C: the line is abandoned, nothing runs
        return this.line.clear();
      case '\x04': // Ctrl-D: EOF on an empty line, else delete under the cursor
        return this.line.deleteForward();
      case '\x01':
        return this.line.moveToStart();
      case '\x05':
        return this.line.moveToEnd();
      case '\x02':
        return this.line.moveBy(-1);
      case '\x06':
        return this.line.moveBy(1);
      case '\x10':
        return this.line.recall(-1);
      case '\x0e':
        return this.line.recall(1);
      case '\x19': // Ctrl-Y: yank
        return this.line.yank();
      case '\x16': // Ctrl-V: insert the next character literally
        this.quotedInsert = true;
        return;
      case '\x0c': // Ctrl-L clears the screen, not the line
      case '\x07':
      case '\x00':
      case '\x1a':
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
      switch (params) {
        case '200':
          this.mode = 'paste';
          this.pasteMatch = 0;
          this.pasteAfterCR = false;
          return;
        case '201':
        case '2':
          return;
        case '3':
          return this.line.deleteForward();
        case '1':
        case '7':
          return this.line.moveToStart();
        case '4':
        case '8':
          return this.line.moveToEnd();
        default:
          return this.line.markApproximate();
      }
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
    switch (final) {
      case 'A':
        return this.line.recall(-1);
      case 'B':
        return this.line.recall(1);
      case 'C':
        return this.line.moveBy(1);
      case 'D':
        return this.line.moveBy(-1);
      case 'H':
        return this.line.moveToStart();
      case 'F':
        return this.line.moveToEnd();
      default:
        this.line.markApproximate();
    }
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

