/**
 * A small POSIX-shell reader for audit purposes: enough of sh/bash to find every simple
 * command a line runs, with its arguments (quotes and escapes removed), its redirections and
 * the commands hidden in `$(...)`, backticks and `<(...)`. It never executes or expands
 * anything: `$VAR` stays as written and is marked dynamic.
 *
 * Not a full shell grammar: `case` patterns, functions and arithmetic are read loosely. It is
 * total — any input gives a result, with `incomplete` set when a quote, substitution or
 * heredoc was left open.
 */
import { type Token, tokenize } from './shell-lexer';

export interface ShellWord {
  /** The word after quote removal; expansions are kept as written ("$(pgrep x)", "$HOME"). */
  value: string;
  /** The word as typed. */
  raw: string;
  /** Some of it was quoted or escaped (so it is never a reserved word or an assignment). */
  quoted: boolean;
  /** Contains an expansion ($VAR, ${...}, $(...), backticks, $((...))). */
  dynamic: boolean;
  /** Contains an unquoted glob character (*, ?, [). */
  glob: boolean;
  /** The text of every command substitution in the word, in order. */
  substitutions: string[];
}

export type RedirectOp = '>' | '>>' | '>|' | '<' | '<<' | '<<-' | '<<<' | '<>' | '>&' | '<&' | '&>' | '&>>';

export interface ShellRedirect {
  /** The file descriptor written before the operator (2 in 2>file), else null. */
  fd: number | null;
  op: RedirectOp;
  /** The file, the duplicated descriptor ("1" in 2>&1), or the heredoc delimiter. */
  target: string;
  /** The heredoc body (<< and <<-) or the here-string (<<<). */
  text?: string;
}

export interface ShellCommand {
  words: ShellWord[];
  /** NAME=value words before the command (the word keeps its substitutions). */
  assignments: { name: string; value: string; word: ShellWord }[];
  redirects: ShellRedirect[];
}

export type Connector = ';' | '&&' | '||';

export interface ShellPipeline {
  commands: ShellCommand[];
  /** How this pipeline joins the one before it (null for the first). */
  connector: Connector | null;
  /** Ended with `&`: runs in the background. */
  background: boolean;
  negated: boolean;
}

export interface ParsedShell {
  pipelines: ShellPipeline[];
  incomplete: boolean;
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/;

/**
 * Parses a command line (or several lines) into pipelines of simple commands. Subshell
 * parentheses are read as separators; `if`/`while`/`do`/`{` and friends are skipped so the
 * commands inside them are still seen; `for`/`case` headers are dropped.
 */
export function parseShell(input: string): ParsedShell {
  const lexed = tokenize(input);
  const tokens = lexed.tokens;
  const pipelines: ShellPipeline[] = [];
  let commands: ShellCommand[] = [];
  let current: ShellCommand = { words: [], assignments: [], redirects: [] };
  let connector: Connector | null = null;
  let negated = false;
  let incomplete = lexed.incomplete;

  const endCommand = () => {
    if (current.words.length > 0 || current.redirects.length > 0 || current.assignments.length > 0) commands.push(current);
    current = { words: [], assignments: [], redirects: [] };
  };
  const endPipeline = (background: boolean, next: Connector | null) => {
    endCommand();
    if (commands.length > 0) pipelines.push({ commands, connector, background, negated });
    else if (background && pipelines.length > 0) (pipelines[pipelines.length - 1] as ShellPipeline).background = true;
    commands = [];
    negated = false;
    connector = pipelines.length > 0 ? next : null;
  };

  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k] as Token;
    if (tok.type === 'word') {
      const w = tok.word;
      if (current.words.length === 0) {
        // NAME=value: the name part must be unquoted; the value may be quoted (FOO="a b").
        const m = ASSIGNMENT.exec(w.raw);
        if (m) {
          current.assignments.push({ name: m[1] as string, value: w.value.slice(w.value.indexOf('=') + 1), word: w });
          continue;
        }
        if (w.value === '!' && !w.quoted) {
          negated = true;
          continue;
        }
      }
      current.words.push(w);
      continue;
    }
    if (tok.type === 'redir') {
      current.redirects.push(tok.redirect);
      continue;
    }
    switch (tok.op) {
      case '|':
      case '|&':
        if (tok.op === '|&') current.redirects.push({ fd: 2, op: '>&', target: '1' });
        endCommand();
        break;
      case '&&':
        endPipeline(false, '&&');
        break;
      case '||':
        endPipeline(false, '||');
        break;
      case '&':
        endPipeline(true, ';');
        break;
      case ';':
      case 'newline':
      case '(':
      case ')':
        endPipeline(false, ';');
        break;
    }
  }
  endPipeline(false, null);
  const last = tokens[tokens.length - 1];
  if (last && last.type === 'op' && (last.op === '|' || last.op === '|&' || last.op === '&&' || last.op === '||')) incomplete = true;
  if (last && last.type === 'redir' && last.redirect.target === '') incomplete = true;

  // Reserved words: drop the ones that only open or close a block.
  const cleaned: ShellPipeline[] = [];
  for (const p of pipelines) {
    const cmds: ShellCommand[] = [];
    for (const c of p.commands) {
      const stripped = stripReserved(c);
      if (stripped) cmds.push(stripped);
    }
    if (cmds.length > 0) cleaned.push({ ...p, commands: cmds });
  }
  return { pipelines: cleaned, incomplete };
}

const OPENERS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '{', 'time', '!']);
const CLOSERS = new Set(['fi', 'done', 'esac', '}']);
// `for x in ...` headers are kept (the classifier reads the loop list); the others are dropped.
const HEADERS = new Set(['case', 'function']);

function stripReserved(c: ShellCommand): ShellCommand | null {
  let words = c.words;
  while (words.length > 0 && !(words[0] as ShellWord).quoted && OPENERS.has((words[0] as ShellWord).value)) words = words.slice(1);
  const first = words[0];
  if (first && !first.quoted && (CLOSERS.has(first.value) || HEADERS.has(first.value))) {
    // "done > out.txt" still redirects; keep the redirects with no command.
    words = [];
  }
  if (words.length === 0 && c.redirects.length === 0 && c.assignments.length === 0) return null;
  return { ...c, words };
}


/** Splits a string into words the way the shell would (quotes removed, no expansion). */
export function shellWords(input: string): string[] {
  return parseShell(input).pipelines.flatMap((p) => p.commands.flatMap((c) => c.words.map((w) => w.value)));
}

/** Quotes argv back into one line (for summaries and for `watch`, `su -c` style wrappers). */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The last path component: "/usr/bin/docker" -> "docker". */
export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? path : path.slice(i + 1);
}
