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
 * Used by the Docker proxy (inside `docker exec -it`) and the console terminal.
 */
export interface TypedLine {
  line: string;
  approximate: boolean;
}

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
  private chars: string[] = [];
  private cursor = 0;
  private approximate = false;
  private mode: Mode = 'text';
  private csi = '';
  private pasteMatch = 0;
  private afterCR = false;
  private pasteAfterCR = false;
  private quotedInsert = false;
  private history: string[] = [];
  private historyIndex = -1;
  private draft: string[] = [];
  private killed = '';
  private readonly maxLineLength: number;
  private readonly maxHistory: number;

  constructor(options: LineEditorOptions = {}) {
    this.maxLineLength = options.maxLineLength ?? 4096;
    this.maxHistory = options.maxHistory ?? 500;
  }

  /** Feeds decoded terminal input; returns the lines completed by it, in order. */
  feed(chunk: string): TypedLine[] {
    const out: TypedLine[] = [];
    for (const ch of chunk) this.step(ch, out);
    return out;
  }

  /** The line being typed, not yet submitted. */
  get pending(): string {
    return this.chars.join('');
  }

  /** Inside a bracketed paste: an Enter now is text, not a submit. */
  get pasting(): boolean {
    return this.mode === 'paste';
  }

  /** Forgets the line being typed (e.g. when the shell's prompt is known to be fresh). */
  reset(): void {
    this.clearLine();
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
      this.insert(ch);
      return;
    }
    const wasCR = this.afterCR;
    this.afterCR = false;
    switch (ch) {
      case '\r':
        this.submit(out);
        this.afterCR = true;
        return;
      case '\n':
        if (!wasCR) this.submit(out); // CR LF is one Enter
        return;
      case '\x1b':
        this.mode = 'esc';
        return;
      case '\x7f':
      case '\x08':
        if (this.cursor > 0) this.remove(this.cursor - 1, this.cursor);
        return;
      case '\x15': // Ctrl-U: kill back to the start
        this.killed = this.chars.slice(0, this.cursor).join('');
        this.remove(0, this.cursor);
        return;
      case '\x17': // Ctrl-W: kill the previous whitespace-delimited word
        this.killBackward((c) => /\s/.test(c));
        return;
      case '\x0b': // Ctrl-K: kill to the end
        this.killed = this.chars.slice(this.cursor).join('');
        this.remove(this.cursor, this.chars.length);
        return;
      case '\x03': // Ctrl-C: the line is abandoned, nothing runs
        this.clearLine();
        return;
      case '\x04': // Ctrl-D: EOF on an empty line, else delete under the cursor
        if (this.cursor < this.chars.length) this.remove(this.cursor, this.cursor + 1);
        return;
      case '\x01':
        return this.move(0);
      case '\x05':
        return this.move(this.chars.length);
      case '\x02':
        return this.move(this.cursor - 1);
      case '\x06':
        return this.move(this.cursor + 1);
      case '\x10':
        return this.recall(-1);
      case '\x0e':
        return this.recall(1);
      case '\x19': // Ctrl-Y: yank (readline's kill ring may differ from our single buffer)
        for (const c of this.killed) this.insert(c);
        this.approximate = true;
        return;
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
        if (code < 0x20) {
          this.approximate = true;
          return;
        }
        if (code >= 0x80 && code < 0xa0) return;
        this.insert(ch);
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
        this.killBackward((c) => !/[\p{L}\p{N}]/u.test(c));
        this.approximate = true;
        return;
      case 'b':
        this.move(this.wordStart());
        return;
      case 'f':
        this.move(this.wordEnd());
        return;
      case '\r':
      case '\n':
        this.approximate = true;
        this.text(ch, out);
        return;
      default:
        // Alt-. (last argument), Alt-d, ESC ESC (completion), vi-mode commands, ...
        this.approximate = true;
    }
  }

  private controlSequence(ch: string): void {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x20 && code <= 0x3f) {
      this.csi += ch;
      if (this.csi.length > MAX_CSI) {
        this.mode = 'text';
        this.approximate = true;
      }
      return;
    }
    this.mode = 'text';
    if (code < 0x40 || code > 0x7e) {
      this.approximate = true;
      return;
    }
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
          if (this.cursor < this.chars.length) this.remove(this.cursor, this.cursor + 1);
          return;
        case '1':
        case '7':
          return this.move(0);
        case '4':
        case '8':
          return this.move(this.chars.length);
        default:
          this.approximate = true;
          return;
      }
    }
    if (ch === 'I' || ch === 'O') return; // focus in/out reports
    if (params.includes(';')) {
      // Modified arrows (Ctrl/Alt + arrow): word motions; treat like the plain key.
      this.approximate = true;
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
        return this.recall(-1);
      case 'B':
        return this.recall(1);
      case 'C':
        return this.move(this.cursor + 1);
      case 'D':
        return this.move(this.cursor - 1);
      case 'H':
        return this.move(0);
      case 'F':
        return this.move(this.chars.length);
      default:
        this.approximate = true;
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
    if (ch === '\r') return this.insert('\n');
    if (ch === '\n') {
      if (!wasCR) this.insert('\n');
      return;
    }
    if (ch === '\t') return this.insert(ch);
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) return;
    this.insert(ch);
  }

  private insert(ch: string): void {
    if (this.chars.length >= this.maxLineLength) {
      this.approximate = true;
      return;
    }
    this.chars.splice(this.cursor, 0, ch);
    this.cursor++;
  }

  private remove(from: number, to: number): void {
    if (to <= from) return;
    this.chars.splice(from, to - from);
    this.cursor = from;
  }

  /** Cursor motion: followed exactly, but marked approximate (vi mode, wide characters). */
  private move(to: number): void {
    this.cursor = Math.max(0, Math.min(this.chars.length, to));
    this.approximate = true;
  }

  private killBackward(isSeparator: (c: string) => boolean): void {
    let i = this.cursor;
    while (i > 0 && isSeparator(this.chars[i - 1] as string)) i--;
    while (i > 0 && !isSeparator(this.chars[i - 1] as string)) i--;
    this.killed = this.chars.slice(i, this.cursor).join('');
    this.remove(i, this.cursor);
  }

  private wordStart(): number {
    let i = this.cursor;
    while (i > 0 && /\s/.test(this.chars[i - 1] as string)) i--;
    while (i > 0 && !/\s/.test(this.chars[i - 1] as string)) i--;
    return i;
  }

  private wordEnd(): number {
    let i = this.cursor;
    while (i < this.chars.length && /\s/.test(this.chars[i] as string)) i++;
    while (i < this.chars.length && !/\s/.test(this.chars[i] as string)) i++;
    return i;
  }

  /** History recall from the lines we saw; the shell may know older ones, hence approximate. */
  private recall(direction: -1 | 1): void {
    this.approximate = true;
    if (direction === -1) {
      if (this.history.length === 0) return;
      if (this.historyIndex === -1) {
        this.draft = [...this.chars];
        this.historyIndex = this.history.length - 1;
      } else if (this.historyIndex > 0) {
        this.historyIndex--;
      }
      this.load([...(this.history[this.historyIndex] ?? '')]);
      return;
    }
    if (this.historyIndex === -1) return;
    this.historyIndex++;
    if (this.historyIndex >= this.history.length) {
      this.historyIndex = -1;
      this.load(this.draft);
    } else {
      this.load([...(this.history[this.historyIndex] ?? '')]);
    }
  }

  private load(chars: string[]): void {
    this.chars = [...chars];
    this.cursor = this.chars.length;
  }

  private submit(out: TypedLine[]): void {
    const text = this.chars.join('');
    const rows = text.split('\n').filter((row) => row.trim() !== '');
    for (const row of rows) out.push({ line: row, approximate: this.approximate });
    // Enter on what looks empty after a recall or completion still ran something unknown.
    if (rows.length === 0 && this.approximate) out.push({ line: '', approximate: true });
    if (text.trim() !== '' && this.history[this.history.length - 1] !== text) {
      this.history.push(text);
      if (this.history.length > this.maxHistory) this.history.shift();
    }
    this.clearLine();
  }

  private clearLine(): void {
    this.chars = [];
    this.cursor = 0;
    this.approximate = false;
    this.historyIndex = -1;
    this.draft = [];
  }
}
