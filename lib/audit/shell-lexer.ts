/**
 * The shell reader's lexer: turns a line into words (quotes removed, substitutions noted),
 * operators and redirections, reading heredoc bodies after the line that opens them. It is
 * total: an unclosed quote, substitution or heredoc sets `incomplete` instead of failing.
 */
import type { RedirectOp, ShellRedirect, ShellWord } from './shell';

type ControlOp = '|' | '|&' | '&&' | '||' | ';' | '&' | '(' | ')';

export type Token =
  | { type: 'word'; word: ShellWord }
  | { type: 'op'; op: ControlOp | 'newline' }
  | { type: 'redir'; op: RedirectOp; fd: number | null; redirect: ShellRedirect };

/** Longest first, so that `>>` is not read as two `>`. */
const REDIRECT_OPS: readonly RedirectOp[] = ['<<<', '<<-', '&>>', '<<', '>>', '>|', '>&', '<&', '<>', '&>', '>', '<'];
/** Control operators as written and the token each is (a case arm's `;;` ends a command like `;`). */
const CONTROL_OPS: readonly (readonly [string, ControlOp])[] = [
  ['&&', '&&'],
  ['||', '||'],
  ['|&', '|&'],
  [';;', ';'],
  ['|', '|'],
  ['&', '&'],
  [';', ';'],
  ['(', '('],
];
const OPERATOR_CHARS = new Set(['|', '&', ';', '<', '>', '(', ')']);
const BLANK = new Set([' ', '\t', '\r']);

class Lexer {
  private i = 0;
  incomplete = false;
  private pendingHeredocs: { redirect: ShellRedirect; strip: boolean; delimiter: string }[] = [];
  readonly tokens: Token[] = [];

  constructor(private readonly s: string) {}

  run(): Token[] {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i] as string;
      if (BLANK.has(c)) {
        this.i++;
        continue;
      }
      if (c === '\\' && s[this.i + 1] === '\n') {
        this.i += 2;
        continue;
      }
      if (c === '\n') {
        this.i++;
        this.tokens.push({ type: 'op', op: 'newline' });
        this.readHeredocBodies();
        continue;
      }
      if (c === '#') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
        continue;
      }
      if ((c === '<' || c === '>') && s[this.i + 1] === '(') {
        // Process substitution: a word whose text is a command.
        this.tokens.push({ type: 'word', word: this.readWord() });
        continue;
      }
      if (OPERATOR_CHARS.has(c)) {
        this.readOperator(null);
        continue;
      }
      const start = this.i;
      const word = this.readWord();
      // "2>file": a word of digits right before < or > is a file descriptor.
      if (/^\d+$/.test(word.raw) && !word.quoted && (s[this.i] === '<' || s[this.i] === '>') && this.i === start + word.raw.length) {
        this.readOperator(Number(word.raw));
        continue;
      }
      this.tokens.push({ type: 'word', word });
    }
    if (this.pendingHeredocs.length > 0) {
      // A heredoc never closed by a newline: its body is missing.
      for (const h of this.pendingHeredocs) h.redirect.text = h.redirect.text ?? '';
      this.incomplete = true;
      this.pendingHeredocs = [];
    }
    return this.tokens;
  }

  private readOperator(fd: number | null): void {
    const s = this.s;
    const redirect = REDIRECT_OPS.find((op) => s.startsWith(op, this.i));
    if (redirect) {
      this.i += redirect.length;
      this.tokens.push({ type: 'redir', op: redirect, fd, redirect: { fd, op: redirect, target: '' } });
      return;
    }
    // The caller stands on an operator character: `)` is the one no other entry matches.
    const [text, op] = CONTROL_OPS.find(([written]) => s.startsWith(written, this.i)) ?? [')', ')'];
    this.i += text.length;
    this.tokens.push({ type: 'op', op });
  }

  /** Reads one word up to an unquoted blank, newline or operator character. */
  private readWord(): ShellWord {
    const s = this.s;
    const start = this.i;
    let value = '';
    let quoted = false;
    let dynamic = false;
    let glob = false;
    const substitutions: string[] = [];
    // $VAR, ${...}, $(...), `...` or $((...)) at the cursor: kept as written, its command noted.
    const takeExpansion = (): boolean => {
      const exp = this.readExpansion();
      if (!exp) return false;
      value += exp.text;
      dynamic = true;
      if (exp.substitution !== undefined) substitutions.push(exp.substitution);
      return true;
    };
    // A leading <( or >( is a process substitution.
    if ((s[this.i] === '<' || s[this.i] === '>') && s[this.i + 1] === '(') {
      const inner = this.readBalanced(this.i + 2);
      substitutions.push(inner.text);
      value += s.slice(this.i, inner.end);
      this.i = inner.end;
      dynamic = true;
    }
    while (this.i < s.length) {
      const c = s[this.i] as string;
      if (BLANK.has(c) || c === '\n' || OPERATOR_CHARS.has(c)) break;
      if (c === '\\') {
        quoted = true;
        const next = s[this.i + 1];
        if (next === undefined) {
          this.i++;
          break;
        }
        if (next !== '\n') value += next;
        this.i += 2;
        continue;
      }
      if (c === "'") {
        quoted = true;
        const end = s.indexOf("'", this.i + 1);
        if (end === -1) {
          value += s.slice(this.i + 1);
          this.i = s.length;
          this.incomplete = true;
          break;
        }
        value += s.slice(this.i + 1, end);
        this.i = end + 1;
        continue;
      }
      if (c === '$' && s[this.i + 1] === "'") {
        // ANSI-C quoting: $'...' with backslash escapes.
        quoted = true;
        let j = this.i + 2;
        while (j < s.length && s[j] !== "'") {
          if (s[j] === '\\' && j + 1 < s.length) {
            const e = s[j + 1] as string;
            value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
            j += 2;
          } else {
            value += s[j];
            j++;
          }
        }
        if (j >= s.length) this.incomplete = true;
        this.i = Math.min(j + 1, s.length);
        continue;
      }
      if (c === '"') {
        quoted = true;
        this.i++;
        while (this.i < s.length && s[this.i] !== '"') {
          const d = s[this.i] as string;
          if (d === '\\' && this.i + 1 < s.length) {
            const e = s[this.i + 1] as string;
            if (e === '"' || e === '\\' || e === '$' || e === '`') value += e;
            else if (e !== '\n') value += d + e;
            this.i += 2;
            continue;
          }
          if ((d === '$' || d === '`') && takeExpansion()) continue;
          value += d;
          this.i++;
        }
        if (this.i >= s.length) this.incomplete = true;
        else this.i++;
        continue;
      }
      if ((c === '$' || c === '`') && takeExpansion()) continue;
      if (c === '*' || c === '?' || c === '[') glob = true;
      value += c;
      this.i++;
    }
    return { value, raw: s.slice(start, this.i), quoted, dynamic, glob, substitutions };
  }

  /** At a $ or backtick: reads $(...), `...`, ${...}, $((...)), $NAME; null when it is a plain "$". */
  private readExpansion(): { text: string; substitution?: string } | null {
    const s = this.s;
    const c = s[this.i];
    if (c === '`') {
      let j = this.i + 1;
      let inner = '';
      while (j < s.length && s[j] !== '`') {
        if (s[j] === '\\' && j + 1 < s.length) {
          inner += s[j + 1];
          j += 2;
        } else {
          inner += s[j];
          j++;
        }
      }
      if (j >= s.length) this.incomplete = true;
      const text = s.slice(this.i, Math.min(j + 1, s.length));
      this.i = Math.min(j + 1, s.length);
      return { text, substitution: inner };
    }
    const next = s[this.i + 1];
    if (next === '(' && s[this.i + 2] === '(') {
      const inner = this.readBalanced(this.i + 2);
      const end = s[inner.end] === ')' ? inner.end + 1 : inner.end;
      const text = s.slice(this.i, end);
      this.i = end;
      return { text };
    }
    if (next === '(') {
      const inner = this.readBalanced(this.i + 2);
      const text = s.slice(this.i, inner.end);
      this.i = inner.end;
      return { text, substitution: inner.text };
    }
    if (next === '{') {
      let j = this.i + 2;
      let depth = 1;
      while (j < s.length && depth > 0) {
        if (s[j] === '{') depth++;
        else if (s[j] === '}') depth--;
        j++;
      }
      if (depth > 0) this.incomplete = true;
      const text = s.slice(this.i, j);
      this.i = j;
      return { text };
    }
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(s.slice(this.i));
    if (m) {
      this.i += m[0].length;
      return { text: m[0] };
    }
    return null;
  }

  /** From just after an opening "(", reads to the matching ")"; returns the inner text. */
  private readBalanced(from: number): { text: string; end: number } {
    const s = this.s;
    let depth = 1;
    let j = from;
    while (j < s.length) {
      const c = s[j];
      if (c === '\\') {
        j += 2;
        continue;
      }
      if (c === "'") {
        const end = s.indexOf("'", j + 1);
        j = end === -1 ? s.length : end + 1;
        continue;
      }
      if (c === '"') {
        j++;
        while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
        j++;
        continue;
      }
      if (c === '(') depth++;
      else if (c === ')') {
        depth--;
        if (depth === 0) return { text: s.slice(from, j), end: j + 1 };
      }
      j++;
    }
    this.incomplete = true;
    return { text: s.slice(from), end: s.length };
  }

  /** After a newline: the bodies of heredocs opened on the line that just ended. */
  private readHeredocBodies(): void {
    const s = this.s;
    for (const h of this.pendingHeredocs) {
      const lines: string[] = [];
      let closed = false;
      while (this.i < s.length) {
        const nl = s.indexOf('\n', this.i);
        const line = nl === -1 ? s.slice(this.i) : s.slice(this.i, nl);
        this.i = nl === -1 ? s.length : nl + 1;
        const cmp = h.strip ? line.replace(/^\t+/, '') : line;
        if (cmp === h.delimiter) {
          closed = true;
          break;
        }
        lines.push(cmp);
      }
      h.redirect.text = lines.join('\n');
      if (!closed) this.incomplete = true;
    }
    this.pendingHeredocs = [];
  }

  registerHeredoc(redirect: ShellRedirect, strip: boolean): void {
    this.pendingHeredocs.push({ redirect, strip, delimiter: redirect.target });
  }
}

/** Runs the lexer, filling redirect targets and registering heredocs as they appear. */
function lexWithHeredocs(lexer: Lexer): Token[] {
  // Patch push so each redirect gets its target word as soon as the word is read.
  const tokens = lexer.tokens;
  const originalPush = tokens.push.bind(tokens);
  let awaiting: ShellRedirect | null = null;
  tokens.push = (...items: Token[]) => {
    for (const t of items) {
      if (awaiting && t.type === 'word') {
        const r: ShellRedirect = awaiting;
        awaiting = null;
        r.target = t.word.value;
        if (r.op === '<<' || r.op === '<<-') lexer.registerHeredoc(r, r.op === '<<-');
        if (r.op === '<<<') r.text = t.word.value;
        continue; // the target is not a word of the command
      }
      awaiting = null;
      if (t.type === 'redir') awaiting = t.redirect;
      originalPush(t);
    }
    return tokens.length;
  };
  lexer.run();
  return tokens;
}

/** The tokens of a line, and whether a quote, substitution or heredoc was left open. */
export function tokenize(input: string): { tokens: Token[]; incomplete: boolean } {
  const lexer = new Lexer(input);
  const tokens = lexWithHeredocs(lexer);
  return { tokens, incomplete: lexer.incomplete };
}
