/**
 * One line per event, in the learner's words: the session timeline, the evidence picker, the
 * report's citations and the replay's event list all say the same thing about the same event.
 */
import type { SessionEventBody } from '../audit/events';

export function describeEvent(e: SessionEventBody): string {
  switch (e.kind) {
    case 'lifecycle':
      return `session ${e.status}${e.detail ? ` — ${e.detail}` : ''}`;
    case 'provision':
      return `${e.phase} done in ${e.ms} ms${e.detail ? ` (${e.detail})` : ''}`;
    case 'fault':
      // While the session is live the API replaces the title with a generic one.
      return `fault injected: ${e.title}`;
    case 'goals':
      return `goals checked: ${e.passed}/${e.total} met`;
    case 'docker': {
      const target = e.target ? ` ${e.target}` : '';
      const command = e.command?.length ? `: ${e.command.join(' ')}` : '';
      const refused = e.allowed === false ? ` — refused (${e.reason ?? 'not allowed'})` : '';
      return `docker ${e.action}${target}${command}${refused}`;
    }
    case 'typed':
      return `${e.where === 'exec' ? `typed in ${e.target ?? 'a container'}` : 'typed'}: ${e.line}${e.approximate ? ' (approximate)' : ''}`;
    case 'terminal':
      return `terminal ${e.action}${e.detail ? `: ${e.detail}` : ''}`;
    case 'diagnosis':
      return `diagnosis submitted (${e.category}, decision: ${e.decision})`;
    case 'update':
      return 'stakeholder update written';
    case 'hint':
      return `hint ${e.index + 1} taken`;
    case 'limit':
      return e.detail;
    case 'lab-note':
      return 'lab bookkeeping';
    case 'container-record':
      return e.now === null
        ? `Docker's record: ${e.service}'s container is gone`
        : `Docker's record: ${e.service} ${e.now.running ? 'running' : 'stopped'}, main PID ${e.now.pid || '—'} (at ready: ${e.baseline.pid})`;
    case 'inject':
      return `inject (${e.injectKind}, for the ${e.prompts === 'everyone' ? 'whole team' : e.prompts}): ${e.text}`;
    case 'coached': {
      const what = e.line !== undefined ? `\`${e.line}\` typed in ${e.target ?? 'a container'}` : `docker ${e.action}${e.target ? ` ${e.target}` : ''}`;
      return e.phase === 'warned' ? `coach held ${what}: ${e.summary}` : `warned, then chose: ${what} went ahead`;
    }
    case 'team':
      return e.action === 'handover' ? `driver seat handed over: ${e.detail ?? `${e.from} → ${e.to}`}` : `team set: ${e.detail ?? 'changed'}`;
    default:
      // An event kind newer than this code (a stored log outlives a version).
      return (e as { kind: string }).kind;
  }
}

/** A description cut to one short line (replay markers, tooltips). */
export function describeShort(e: SessionEventBody, max = 80): string {
  const one = describeEvent(e).replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
