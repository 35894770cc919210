/**
 * Service managers (systemctl, service, supervisorctl, pm2, ...) and the system's own power:
 * a stop or restart ends the service's processes and the memory that held the evidence.
 */
import type { Effect } from '../classification';
import { type Draft, type ProgramHandler, type ProgramTable, change, each, operands, ro, unknown } from './draft';

export function serviceDraft(name: string | undefined, action: string, manager: string): Draft {
  const a = action.toLowerCase();
  const svc = name ?? 'a service';
  const eff: Effect[] = [{ type: 'service', op: a, name }];
  if (/^(status|show|is-active|is-enabled|is-failed|list-units|list-unit-files|cat|list|--status-all|help|list-dependencies|avail|pid)$/.test(a) || a === '') {
    return ro(`${manager}: shows the state of ${svc}`, ['state']);
  }
  if (/^(stop|restart|try-restart|reload-or-restart|force-reload|kill|isolate|condrestart|shutdown|zap)$/.test(a)) {
    return { tier: 'state-losing', summary: `${manager} ${a} ${svc}: its processes and their memory are gone`, effects: eff };
  }
  if (/^(start|reload|enable|disable|mask|unmask|daemon-reload|set-property|up|down|once|hup|cont|pause)$/.test(a)) {
    if (a === 'down') return { tier: 'state-losing', summary: `${manager} down ${svc}: stops it`, effects: eff };
    return change(`${manager} ${a} ${svc}`, { targeted: true }, eff);
  }
  if (a === 'tail') return ro(`${manager}: follows the log of ${svc}`, ['logs'], { streaming: true });
  return unknown(`${manager} ${a} ${svc}`);
}

/** `<manager> <verb> <service>` (systemctl restart api); `fallback` when no verb is given. */
const verbFirst = (fallback: string): ProgramHandler => (prog, args) => {
  const words = operands(args);
  return serviceDraft(words[1], words[0] ?? fallback, prog);
};

/** `<manager> <service> <verb>` (service api restart). */
const nameFirst: ProgramHandler = (prog, args) => {
  const words = operands(args);
  return serviceDraft(words[0], words[1] ?? 'status', prog);
};

function serviceCommand(_prog: string, args: string[]): Draft {
  const words = args.filter((a) => !a.startsWith('-') || a === '--status-all');
  if (words[0] === '--status-all') return ro('service --status-all: lists services', ['state']);
  return serviceDraft(words[0], words[1] ?? 'status', 'service');
}

function pm2Draft(prog: string, args: string[]): Draft {
  const words = operands(args);
  if (words[0] === 'logs' || words[0] === 'monit') return ro(`pm2 ${words[0]}: follows until stopped`, ['logs'], { streaming: true });
  if (words[0] === 'list' || words[0] === 'ls' || words[0] === 'status' || words[0] === 'show' || words[0] === 'describe') return ro('pm2: lists processes', ['processes']);
  return serviceDraft(words[1], words[0] ?? 'list', prog);
}

export const services: ProgramTable = {
  service: serviceCommand,
  systemctl: verbFirst('list-units'),
  'rc-service': nameFirst,
  supervisorctl: verbFirst('status'),
  sv: verbFirst('status'),
  pm2: pm2Draft,
  ...each(['shutdown', 'reboot', 'halt', 'poweroff'], (prog) => ({ tier: 'state-losing', summary: `${prog}: stops the whole system` })),
  ...each(['init', 'telinit'], (prog, args) => (args.length ? { tier: 'state-losing', summary: `${prog} ${args[0]}: changes the run level` } : unknown(prog))),
};
