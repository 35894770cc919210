/**
 * The editing model behind the line editor (./line-editor.ts): the line being typed, its
 * cursor, a one-entry kill buffer and the history of lines submitted here. It knows nothing of
 * key codes; the line editor decodes keys into these commands.
 *
 * Every command whose result depends on state the shell keeps and we do not (cursor motion in
 * vi mode or over wide characters, history older than us, readline's kill ring) is followed as
 * readline would, but marks the line `approximate`.
 */
export interface TypedLine {
  line: string;
  approximate: boolean;
}

const isSpace = (c: string): boolean => /\s/.test(c);
const isNotAlphanumeric = (c: string): boolean => !/[\p{L}\p{N}]/u.test(c);

export class EditBuffer {
  private chars: string[] = [];
  private cursor = 0;
  private approximate = false;
  private history: string[] = [];
  private historyIndex = -1;
  private draft: string[] = [];
  private killed = '';

  constructor(
    private readonly maxLineLength: number,
    private readonly maxHistory: number,
  ) {}

  get text(): string {
    return this.chars.join('');
  }

  /** What we make of the line can no longer be taken as fact. */
  markApproximate(): void {
    this.approximate = true;
  }

  insert(ch: string): void {
    if (this.chars.length >= this.maxLineLength) {
      this.approximate = true;
      return;
    }
    this.chars.splice(this.cursor, 0, ch);
    this.cursor++;
  }

  /** BS/DEL: the character before the cursor. */
  deleteBackward(): void {
    if (this.cursor > 0) this.remove(this.cursor - 1, this.cursor);
  }

  /** Ctrl-D or the Delete key: the character under the cursor. */
  deleteForward(): void {
    if (this.cursor < this.chars.length) this.remove(this.cursor, this.cursor + 1);
  }

  /** Ctrl-U. */
  killToStart(): void {
    this.killed = this.chars.slice(0, this.cursor).join('');
    this.remove(0, this.cursor);
  }

  /** Ctrl-K. */
  killToEnd(): void {
    this.killed = this.chars.slice(this.cursor).join('');
    this.remove(this.cursor, this.chars.length);
  }

  /** Ctrl-W: the previous whitespace-delimited word. */
  killWordBackward(): void {
    this.killBackward(isSpace);
  }

  /** Alt-Backspace: the previous alphanumeric word (readline's own word rule). */
  killAlphanumericWordBackward(): void {
    this.killBackward(isNotAlphanumeric);
    this.approximate = true;
  }

  /** Ctrl-Y: readline's kill ring may hold more than our single buffer. */
  yank(): void {
    for (const c of this.killed) this.insert(c);
    this.approximate = true;
  }

  moveToStart(): void {
    this.move(0);
  }

  moveToEnd(): void {
    this.move(this.chars.length);
  }

  moveBy(delta: -1 | 1): void {
    this.move(this.cursor + delta);
  }

  /** Alt-b. */
  moveWordBackward(): void {
    let i = this.cursor;
    while (i > 0 && isSpace(this.chars[i - 1] as string)) i--;
    while (i > 0 && !isSpace(this.chars[i - 1] as string)) i--;
    this.move(i);
  }

  /** Alt-f. */
  moveWordForward(): void {
    let i = this.cursor;
    while (i < this.chars.length && isSpace(this.chars[i] as string)) i++;
    while (i < this.chars.length && !isSpace(this.chars[i] as string)) i++;
    this.move(i);
  }

  /** History recall from the lines we saw; the shell may know older ones, hence approximate. */
  recall(direction: -1 | 1): void {
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

  /** Enter: the line's non-empty rows (a pasted block may hold several) go out; the line is cleared. */
  submit(out: TypedLine[]): void {
    const text = this.chars.join('');
    const rows = text.split('\n').filter((row) => row.trim() !== '');
    for (const row of rows) out.push({ line: row, approximate: this.approximate });
    // Enter on what looks empty after a recall or completion still ran something unknown.
    if (rows.length === 0 && this.approximate) out.push({ line: '', approximate: true });
    if (text.trim() !== '' && this.history[this.history.length - 1] !== text) {
      this.history.push(text);
      if (this.history.length > this.maxHistory) this.history.shift();
    }
    this.clear();
  }

  /** Ctrl-C, or a fresh prompt: the line is abandoned. */
  clear(): void {
    this.chars = [];
    this.cursor = 0;
    this.approximate = false;
    this.historyIndex = -1;
    this.draft = [];
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

  private load(chars: string[]): void {
    this.chars = [...chars];
    this.cursor = this.chars.length;
  }
}
