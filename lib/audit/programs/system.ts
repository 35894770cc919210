/**
 * The kernel and the system around the processes: kernel log and settings, the journal,
 * scheduled jobs, mounts. Clearing a log throws away evidence (OOM-kill records).
 */
import { quoteArgv } from '../shell';
import { type Draft, type ProgramTable, change, each, ro } from './draft';

function dmesgDraft(_prog: string, args: string[]): Draft {
  if (args.some((a) => /^(-C|--clear|-c|--read-clear)$/.test(a))) return change('dmesg -C: clears the kernel log (OOM-kill records with it)', { targeted: false });
  const follow = args.some((a) => a === '-w' || a === '--follow' || a === '-W');
  return ro('reads the kernel log', ['kernel', 'logs'], { streaming: follow });
}

function journalctlDraft(_prog: string, args: string[]): Draft {
  if (args.some((a) => /^--(vacuum|rotate|flush)/.test(a))) return change('journalctl: rotates or deletes journal files', { targeted: false });
  return ro('reads the journal', ['logs'], { streaming: args.some((a) => a === '-f' || a === '--follow' || /^-[a-zA-Z]*f/.test(a)) });
}

function sysctlDraft(_prog: string, args: string[]): Draft {
  if (args.some((a) => a === '-w' || a === '--write' || a === '-p' || a === '--load' || (a.includes('=') && !a.startsWith('-')))) {
    return change('sysctl: changes a kernel setting', { targeted: true }, [{ type: 'limits', detail: quoteArgv(args) }]);
  }
  return ro('reads kernel settings', ['kernel', 'config']);
}

function crontabDraft(_prog: string, args: string[]): Draft {
  if (args.includes('-l')) return ro('crontab -l: lists scheduled jobs', ['config']);
  if (args.includes('-r')) return { tier: 'destructive', summary: 'crontab -r: deletes every scheduled job' };
  return change('crontab: changes scheduled jobs', { targeted: true });
}

function mountDraft(prog: string, args: string[]): Draft {
  if (args.length === 0 || (prog === 'mount' && args.every((a) => a.startsWith('-') && /^-[lv]+$/.test(a)))) return ro('lists mounts', ['disk']);
  return change(`${prog}: changes mounts`, { targeted: true });
}

export const system: ProgramTable = {
  dmesg: dmesgDraft,
  journalctl: journalctlDraft,
  sysctl: sysctlDraft,
  crontab: crontabDraft,
  ...each(['mount', 'umount'], mountDraft),
};
