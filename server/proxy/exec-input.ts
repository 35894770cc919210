/**
 * The learner's keystrokes into an interactive exec (TTY + stdin): each completed line goes to
 * the audit log as a `typed` event, and in coach mode a line that would lose the evidence of a
 * scenario service (`kill 1`, `pkill -f python`, …; lib/proxy/coach.ts) is held at its Enter:
 * the Enter is not forwarded, the shell's half-line is cancelled (Ctrl-C, so the shell and the
 * line reconstruction agree again), and the coach's message is written to the learner's
 * terminal. Typing the same line again within the window runs it. Both moments are `coached`
 * events, as for held Docker calls.
 */
import { StringDecoder } from 'node:string_decoder';
import { basename } from '@/lib/audit/shell';
import { coachLineDecision } from '@/lib/proxy/coach';
import { LineEditor } from '@/lib/terminal/line-editor';
import type { ProxyContext } from './context';

export interface ExecInput {
  /** Where typed lines are attributed (the scenario service or sidecar). */
  target: string;
  role: 'service' | 'sidecar';
  /** The exec's command: lines typed into psql are SQL, not shell commands, and never held. */
  command: readonly string[];
}

const INTERRUPT = Buffer.from([0x03]);

/** Index just past the first line ending (CR or LF) in the chunk, or -1. */
function lineEnd(chunk: Buffer, from: number): number {
  for (let i = from; i < chunk.length; i++) if (chunk[i] === 0x0d || chunk[i] === 0x0a) return i + 1;
  return -1;
}

/**
 * Returns what to do with each chunk of keystrokes: the bytes to forward to the engine, and
 * the text to show the learner (the coach's message) when a line was held.
 */
export function execInputFilter(ctx: ProxyContext, input: ExecInput): (chunk: Buffer) => { forward: Buffer; show: string } {
  const editor = new LineEditor();
  const decoder = new StringDecoder('utf8');
  const sql = basename(input.command[0] ?? '') === 'psql';
  const emitLines = (bytes: Buffer): string[] => {
    const lines = editor.feed(decoder.write(bytes));
    for (const typed of lines) ctx.emit({ kind: 'typed', where: 'exec', target: input.target, line: typed.line, approximate: typed.approximate });
    return lines.map((l) => l.line);
  };
  const filter = (chunk: Buffer): { forward: Buffer; show: string } => {
    const coach = !sql && input.role === 'service' && ctx.options.coach?.() === true;
    if (!coach) {
      emitLines(chunk);
      return { forward: chunk, show: '' };
    }
    // Line by line, so that a held line's Enter (and only it) can be kept back.
    const forward: Buffer[] = [];
    let show = '';
    let from = 0;
    while (from < chunk.length) {
      const end = lineEnd(chunk, from);
      const part = chunk.subarray(from, end === -1 ? chunk.length : end);
      from = end === -1 ? chunk.length : end;
      if (end === -1) {
        emitLines(part);
        forward.push(part);
        continue;
      }
      // Feed all but the Enter first: the editor's view of the line as it stands.
      const body = part.subarray(0, part.length - 1);
      emitLines(body);
      const pending = editor.pending;
      const verdict = editor.pasting ? ({ kind: 'pass' } as const) : coachLineDecision(pending, input.target, input.role, ctx.coached, Date.now());
      if (verdict.kind === 'hold') {
        editor.reset();
        forward.push(body, INTERRUPT);
        show += `\r\n${verdict.message}\r\n`;
        ctx.emit({ kind: 'coached', phase: 'warned', action: 'typed', target: input.target, line: pending.trim(), tier: verdict.tier, summary: verdict.summary, message: verdict.message });
        continue;
      }
      if (verdict.kind === 'chose') {
        ctx.emit({ kind: 'coached', phase: 'chose', action: 'typed', target: input.target, line: pending.trim(), tier: verdict.tier, summary: verdict.summary, warnedAt: verdict.warnedAt });
      }
      emitLines(part.subarray(part.length - 1));
      forward.push(part);
    }
    return { forward: Buffer.concat(forward), show };
  };
  // The learner's keystrokes must reach their shell whatever the audit makes of them: a line
  // the classifier cannot read is forwarded as typed (and the proxy process stays up).
  return (chunk) => {
    try {
      return filter(chunk);
    } catch {
      return { forward: chunk, show: '' };
    }
  };
}
