/**
 * The command classifier: turns what the learner did (a typed shell line, an exec'd argv, a
 * proxied Docker API call) into a Classification — a tier of the diagnostic hierarchy plus
 * effects, observations and flags — that the protocol rules in lib/scoring read. This module
 * is the one entry point; the work is done by:
 *
 *   classifyShell(line, ctx?)     ./command.ts      a line typed at the console or inside an exec
 *   classifyArgv(argv, ctx?)      ./command.ts      an argv run without a shell (docker exec's Cmd)
 *   classifySql(sql)              ./sql.ts          SQL text
 *   classifyDockerCall(body)      ./docker-call.ts  one proxied Docker API call
 *   classifyEvents(events)        ./session-log.ts  a session's log, joining psql lines
 *
 * with ./programs/ (one handler per program, grouped by domain) and ./pipeline.ts (what the
 * shell around a command adds). See docs/scoring.md for the tiers and the severity order.
 */
export * from './classification';
export { type ArgvOptions, type ShellContext, classifyArgv, classifyShell } from './command';
export { COMPANION_ACTIONS, classifyDockerCall, proxiedAction } from './docker-call';
export { type ClassifiedEvent, classifyEvents, commandText } from './session-log';
export { classifySql, splitSql, looksLikeSql } from './sql';
export type { SqlClassification, SqlStatementAssessment } from './sql';

/** Bump when a classification of the same input can change (stored with every score). */
// 2: the proxy's own names are read as logged — "cp" with a direction, a sidecar's pid/net =
//    the bare container, plugin-inspect — and a typed line claims them (lib/scoring/actions.ts).
// 5: SIGKILL/SIGSTOP to PID 1 from inside its PID namespace (`kill -9 1` in an exec or a
//    pid-sharing sidecar) is ignored by the kernel: a change with no effect, not state-losing.
// 6: listing processes' descriptors (ls /proc/<pid>/fd, find /proc/[0-9]*/fd -lname …) observes
//    the processes too: it shows who holds a file, as lsof does.
// 7: reading a file under /run (/var/run) observes `app-state` (what a program says it is doing
//    now: status.json, a queue), no longer `config` for a .json or `filesystem` otherwise.
//    Also a pg_terminate_backend/pg_cancel_backend whose WHERE pins pid to a variable
//    (`WHERE pid = $ROOT AND …`) is targeted, as `WHERE pid = N` already was; and the
//    statement an EXPLAIN explains is found in the typed text even after a string literal.
export const CLASSIFIER_VERSION = 7;
