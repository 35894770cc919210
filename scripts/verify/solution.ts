/**
 * Solution scripts (scenarios/<slug>/solutions/*.sh) as `npm run scenario:verify` reads them.
 * The convention is documented in docs/scenarios.md ("Verifying a scenario"); in short:
 *
 *  - one console command per line, typed in order at the session's console; blank lines and
 *    comments are skipped (so is the shebang); no line continuations, heredocs or tabs;
 *  - placeholders: `$API` / `${API}` for every service (its name upper-cased, other characters
 *    as `_`) stand for the service's container name. They are replaced as text before a line
 *    is typed, the way a learner types the name read off `docker ps`, so the audit log shows
 *    real names. `$CUSTOMERS_URL` is the address the customers call, as the session page's
 *    Customers chart shows it. A name the script assigns itself (`DB=...`) is a shell variable, not a
 *    placeholder. Everything else (`PID=$(...)`, `$PID`) is plain bash in the console;
 *  - directive comments `#@ word ...` apply to the next command line:
 *      evidence        cite this line (and the Docker calls it made) as diagnosis evidence
 *      may-fail        a non-zero exit status does not stop the script
 *      timeout=SECONDS how long the line may run (default 180)
 *  - report lines: what the script prints on lines starting with SICKBAY_DIAGNOSIS,
 *    SICKBAY_REASON and SICKBAY_UPDATE is what verify submits (see parseReportLines).
 *
 * Pure: no I/O, unit-tested in test/unit/scripts/scenario-verify.test.ts.
 */

export const DEFAULT_LINE_TIMEOUT_MS = 180_000;

export interface SolutionLine {
  /** 1-based line number in the file. */
  lineNo: number;
  /** The command as written (placeholders not yet replaced). */
  text: string;
  evidence: boolean;
  mayFail: boolean;
  timeoutMs: number;
}

export interface ParsedSolution {
  lines: SolutionLine[];
  /** Shell variables the script assigns itself (never placeholders). */
  assigned: string[];
  /** Problems that make the file unusable: "line 12: ...". */
  errors: string[];
}

const DIRECTIVE = /^\s*#@\s*(.*)$/;
const ASSIGNMENT = /(?:^|[;&|(]\s*|\bthen\s+|\bdo\s+)([A-Za-z_][A-Za-z0-9_]*)=/g;

/** A `<<WORD` outside quotes (a here-string `<<<` is fine: it is one line). */
function hasHeredoc(line: string): boolean {
  for (const m of line.matchAll(/(?<!<)<<-?\s*(['"]?)[A-Za-z_][A-Za-z0-9_]*\1/g)) {
    const before = line.slice(0, m.index);
    const singles = (before.match(/'/g) ?? []).length;
    const doubles = (before.replace(/'[^']*'/g, '').match(/"/g) ?? []).length;
    if (singles % 2 === 0 && doubles % 2 === 0) return true;
  }
  return false;
}

/** The placeholder a service answers to: `api` → `API`, `pg-main` → `PG_MAIN`. */
export function placeholderName(service: string): string {
  return service.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

export function parseSolution(text: string): ParsedSolution {
  const lines: SolutionLine[] = [];
  const errors: string[] = [];
  const assigned = new Set<string>();
  let pending: { evidence: boolean; mayFail: boolean; timeoutMs: number; at: number } | null = null;
  const rows = text.split('\n');
  rows.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.replace(/\r$/, '');
    const directive = DIRECTIVE.exec(line);
    if (directive) {
      if (pending) errors.push(`line ${pending.at}: a "#@" directive must be followed by a command, not by another directive`);
      pending = { evidence: false, mayFail: false, timeoutMs: DEFAULT_LINE_TIMEOUT_MS, at: lineNo };
      for (const word of (directive[1] ?? '').trim().split(/\s+/).filter(Boolean)) {
        const t = /^timeout=(\d+)$/.exec(word);
        if (word === 'evidence') pending.evidence = true;
        else if (word === 'may-fail') pending.mayFail = true;
        else if (t && Number(t[1]) > 0) pending.timeoutMs = Number(t[1]) * 1000;
        else errors.push(`line ${lineNo}: unknown directive "${word}" (known: evidence, may-fail, timeout=SECONDS)`);
      }
      return;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    if (line.includes('\t')) errors.push(`line ${lineNo}: a tab would trigger completion when typed; use spaces or \\t`);
    if (/\\$/.test(trimmed)) errors.push(`line ${lineNo}: no line continuations: one command per line`);
    if (hasHeredoc(line)) errors.push(`line ${lineNo}: heredocs span lines: use psql -c, a here-string (<<<) or echo | ...`);
    for (const m of line.matchAll(ASSIGNMENT)) assigned.add(m[1] as string);
    const p: { evidence: boolean; mayFail: boolean; timeoutMs: number } = pending ?? { evidence: false, mayFail: false, timeoutMs: DEFAULT_LINE_TIMEOUT_MS };
    lines.push({ lineNo, text: trimmed, evidence: p.evidence, mayFail: p.mayFail, timeoutMs: p.timeoutMs });
    pending = null;
  });
  if (pending) errors.push(`line ${(pending as { at: number }).at}: a "#@" directive at the end of the file applies to nothing`);
  if (lines.length === 0) errors.push('no command lines');
  return { lines, assigned: [...assigned].sort(), errors };
}

/**
 * The placeholders of a session: service → container name, keyed by placeholder name, minus
 * the names the script assigns itself.
 */
export function placeholders(services: { name: string; container: string }[], assigned: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of services) {
    const name = placeholderName(s.name);
    if (!assigned.includes(name)) out[name] = s.container;
  }
  return out;
}

/** Replaces `$NAME` and `${NAME}` of every placeholder, as text (quotes do not protect them). */
export function substitute(line: string, values: Record<string, string>): string {
  return line.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    return Object.hasOwn(values, name) ? (values[name] as string) : whole;
  });
}

// ---------------------------------------------------------------------------------------------
// What the script reports

export type Decision = 'fix-in-place' | 'restart' | 'rollback';
const DECISIONS: readonly string[] = ['fix-in-place', 'restart', 'rollback'];

export interface ReportedAnswers {
  diagnosis: { category: string; culprit: string; decision: Decision } | null;
  reason: string | null;
  update: string | null;
  errors: string[];
}

/**
 * Reads the report lines from a script's output (the last of each kind counts):
 *
 *   SICKBAY_DIAGNOSIS category=<id> decision=<fix-in-place|restart|rollback> culprit=<rest of line>
 *   SICKBAY_REASON <why that decision>
 *   SICKBAY_UPDATE <the stakeholder update>
 *
 * Only lines that start with the keyword count, so the echoed command (`echo "SICKBAY_...`)
 * never does. `culprit=` must come last: it takes the rest of the line (a name may have spaces).
 */
export function parseReportLines(lines: readonly string[]): ReportedAnswers {
  const out: ReportedAnswers = { diagnosis: null, reason: null, update: null, errors: [] };
  for (const raw of lines) {
    const line = raw.trim();
    const m = /^SICKBAY_(DIAGNOSIS|REASON|UPDATE)(?:\s+(.*))?$/.exec(line);
    if (!m) continue;
    const rest = (m[2] ?? '').trim();
    if (m[1] === 'REASON') out.reason = rest || null;
    else if (m[1] === 'UPDATE') out.update = rest || null;
    else {
      const culpritAt = rest.search(/(^|\s)culprit=/);
      const head = culpritAt === -1 ? rest : rest.slice(0, culpritAt);
      const culprit = culpritAt === -1 ? '' : rest.slice(culpritAt).replace(/^\s*culprit=/, '').trim();
      const fields = Object.fromEntries(
        head
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=') === -1 ? kv.length : kv.indexOf('=')), kv.includes('=') ? kv.slice(kv.indexOf('=') + 1) : '']),
      ) as Record<string, string>;
      const unknown = Object.keys(fields).filter((k) => k !== 'category' && k !== 'decision');
      const decision = fields.decision || 'fix-in-place';
      if (unknown.length) out.errors.push(`SICKBAY_DIAGNOSIS: unknown field(s) ${unknown.join(', ')} (known: category, decision, culprit last)`);
      if (!fields.category) out.errors.push('SICKBAY_DIAGNOSIS: no category=');
      if (!culprit) out.errors.push('SICKBAY_DIAGNOSIS: no culprit= (it must come last), or it is empty: did the script find it?');
      if (!DECISIONS.includes(decision)) out.errors.push(`SICKBAY_DIAGNOSIS: decision must be one of ${DECISIONS.join(', ')}, got "${decision}"`);
      out.diagnosis = { category: fields.category ?? '', culprit, decision: decision as Decision };
    }
  }
  if (out.diagnosis && !out.reason) out.errors.push('SICKBAY_DIAGNOSIS without a SICKBAY_REASON line: a diagnosis needs a reason');
  return out;
}
