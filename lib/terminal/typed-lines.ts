/**
 * Command lines typed at the console's own prompt, reconstructed from the terminal's input
 * stream for the audit log (TypedLineBody, where: 'console').
 *
 * The keystrokes-to-lines part is the project's line editor (./line-editor.ts, shared
 * with the proxy's interactive execs); createLineReader() is the one place that picks it.
 * ConsoleLineTracker decides *when* to feed it: only while the shell sits at its prompt. The
 * console's PS1 starts with an invisible marker (OSC 697, see containers/console/profile.sh);
 * input after the marker and up to Enter is a command line. Input to a running program (psql,
 * vim, an interactive `docker exec`, whose lines the proxy records as where: 'exec') comes
 * after Enter and before the next marker, and is not fed.
 */
import { LineEditor, type TypedLine } from './line-editor';

export type { TypedLine };

export interface LineReader {
  feed(chunk: string): TypedLine[];
  /** Forgets a half-typed line (a fresh prompt); history, if any, is kept. */
  reset?(): void;
}

/** The one place that chooses the line reader. */
export function createLineReader(): LineReader {
  return new LineEditor();
}

/** OSC 697 "sickbay-prompt", BEL-terminated: printed by the console's PS1 before the prompt. */
export const PROMPT_MARKER = '\x1b]697;sickbay-prompt\x07';

/** How many characters at the end of s are a proper prefix of marker. */
function partialSuffix(s: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, s.length); n > 0; n--) {
    if (s.endsWith(marker.slice(0, n))) return n;
  }
  return 0;
}

/** Finds the prompt marker in a text stream cut at arbitrary places. */
export class PromptMarkerScanner {
  private carry = '';

  constructor(private readonly marker = PROMPT_MARKER) {}

  /** Number of markers completed by this chunk. */
  scan(text: string): number {
    const s = this.carry + text;
    let count = 0;
    let from = 0;
    for (;;) {
      const at = s.indexOf(this.marker, from);
      if (at === -1) break;
      count += 1;
      from = at + this.marker.length;
    }
    this.carry = s.slice(s.length - partialSuffix(s.slice(from), this.marker));
    return count;
  }
}

/** Typed command lines at the console prompt (see the module comment). */
export class ConsoleLineTracker {
  private readonly scanner = new PromptMarkerScanner();
  private readonly reader: LineReader;
  private prompt = false;

  constructor(newReader: () => LineReader = createLineReader) {
    // One reader for the whole shell: its history follows the learner's arrow-up recalls.
    this.reader = newReader();
  }

  /** True while the shell waits at its prompt for a command line. */
  get atPrompt(): boolean {
    return this.prompt;
  }

  /**
   * A marker while already at the prompt is a redraw (a resize, ^L, a completion listing):
   * what was typed so far still stands. A marker after a command is a fresh prompt.
   */
  onOutput(text: string): void {
    if (this.scanner.scan(text) > 0 && !this.prompt) {
      this.reader.reset?.();
      this.prompt = true;
    }
  }

  /**
   * Lines completed by this input. Every line completed within one chunk that started at the
   * prompt is returned (a multi-line paste runs each line); then the prompt is left until the
   * next marker.
   */
  onInput(text: string): TypedLine[] {
    if (!this.prompt) return [];
    const lines = this.reader.feed(text);
    if (lines.length > 0) this.prompt = false;
    return lines;
  }
}
