/**
 * Debuggers, tracers and profilers: they read a process's state but pause or slow it while
 * they do (heavy); the ones that write a dump keep evidence (snapshot).
 */
import { type ArgvContext, type Draft, type ProgramTable, each, ro, unknown } from './draft';

/** A dump of a process written to a file: evidence kept, the process paused meanwhile. */
const dump = (summary: string): Draft => ({ tier: 'snapshot', summary, flags: { heavy: true, writesFile: true }, observes: ['processes'] });

function traceDraft(prog: string, args: string[]): Draft {
  const out = args[args.indexOf('-o') + 1];
  return ro(`${prog}: traces system calls (slows the traced process a lot)`, ['processes'], { heavy: true, streaming: args.includes('-p'), writesFile: args.includes('-o') && out !== undefined });
}

function gdbDraft(_prog: string, args: string[], ctx: ArgvContext): Draft {
  if (args.some((a) => a === '-batch' || a === '--batch')) return ro('gdb -batch: attaches to a process and reads its state (it pauses while attached)', ['processes'], { heavy: true });
  if (ctx.stdin.kind === 'terminal') return { tier: 'interactive', summary: 'opens gdb (an attached process stays paused while stopped in it)', observes: ['processes'], flags: { heavy: true } };
  return ro('gdb without a terminal', ['processes']);
}

function pySpyDraft(_prog: string, args: string[], ctx: ArgvContext): Draft {
  const sub = args[0] ?? '';
  if (sub === 'dump') return ro('py-spy dump: prints Python stacks', ['processes', 'process-state']);
  if (sub === 'top') return ctx.tty ? { tier: 'interactive', summary: 'py-spy top: a live profile view', observes: ['processes'], flags: { streaming: true } } : ro('py-spy top', ['processes'], { streaming: true });
  if (sub === 'record') return ro('py-spy record: profiles a process into a file', ['processes'], { heavy: true, writesFile: true });
  return unknown('runs py-spy');
}

function perfDraft(_prog: string, args: string[], ctx: ArgvContext): Draft {
  const sub = args[0] ?? '';
  if (sub === 'top') return { tier: ctx.tty ? 'interactive' : 'read-only', summary: 'perf top: live profile', observes: ['processes'], flags: { heavy: true, streaming: true } };
  return ro(`perf ${sub}: profiles (adds overhead)`, ['processes'], { heavy: true, writesFile: sub === 'record' });
}

export const debuggers: ProgramTable = {
  ...each(['strace', 'ltrace'], traceDraft),
  gdb: gdbDraft,
  gcore: () => dump('gcore: writes a core dump of a process (it pauses while dumping)'),
  jmap: (_prog, args) => (args.some((a) => a.startsWith('-dump')) ? dump('jmap -dump: writes a heap dump (pauses the JVM)') : ro('jmap: reads JVM memory', ['processes', 'resources'], { heavy: true })),
  ...each(['jstack', 'pstack'], (prog) => ro(`${prog}: prints thread stacks`, ['processes', 'process-state'])),
  jcmd: (_prog, args) => (args.some((a) => a.startsWith('GC.heap_dump')) ? dump('jcmd GC.heap_dump: writes a heap dump') : ro('jcmd: queries a JVM', ['processes'])),
  'py-spy': pySpyDraft,
  perf: perfDraft,
};
