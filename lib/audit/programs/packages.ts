/**
 * Package managers (apt, apk, pip, npm, ...): reading package data is harmless; installing
 * into a running container makes it drift from its image.
 */
import { type Draft, type ProgramTable, change, each, operands, ro, unknown } from './draft';

export function packageDraft(prog: string, args: string[]): Draft {
  const first = args.find((a) => !a.startsWith('-')) ?? '';
  const sub = first.toLowerCase();
  const pkgs = args.filter((a) => !a.startsWith('-') && a !== first);
  const installs = /^(install|add|i|upgrade|dist-upgrade|full-upgrade|remove|purge|uninstall|del|autoremove|reinstall|ci|update)$/.test(sub);
  const reads = /^(list|ls|show|search|policy|info|freeze|outdated|check|view|depends|rdepends|madison|why|help|config|cache|--version|-v|version)$/.test(sub) || sub === '';
  if (prog === 'apt-cache' || (prog === 'apk' && sub === 'info')) return ro(`${prog} ${sub}: reads package data`, ['packages']);
  if (reads) return ro(`${prog} ${sub || ''}: reads package data`.replace(/ :/, ':'), ['packages']);
  if (sub === 'update' && /^(apt|apt-get|apk|aptitude)$/.test(prog)) {
    return change(`${prog} update: refreshes the package index inside a running container`, { targeted: false }, [{ type: 'package', manager: prog, op: 'update', packages: [] }]);
  }
  if (installs) {
    return {
      tier: 'change',
      summary: `${prog} ${sub}: installs packages in a running container (it drifts from its image)`,
      flags: { packageInstall: true, targeted: false, networkTest: false },
      effects: [{ type: 'package', manager: prog, op: sub, packages: pkgs }],
    };
  }
  return unknown(`runs ${prog} ${sub}`);
}

function dpkgDraft(prog: string, args: string[]): Draft {
  if (args.some((a) => /^(-i|--install|-r|--remove|-P|--purge|-e|--erase|-U|--upgrade|-ivh|-Uvh)$/.test(a))) {
    return { tier: 'change', summary: `${prog}: installs or removes packages in a running container`, flags: { packageInstall: true }, effects: [{ type: 'package', manager: prog, op: 'install', packages: operands(args) }] };
  }
  return ro(`${prog}: reads package data`, ['packages']);
}

export const packages: ProgramTable = {
  ...each(
    ['apt', 'apt-get', 'aptitude', 'apt-cache', 'apk', 'yum', 'dnf', 'microdnf', 'zypper', 'pip', 'pip3', 'pipx', 'npm', 'pnpm', 'yarn', 'gem', 'cargo', 'conda', 'uv', 'poetry'],
    packageDraft,
  ),
  ...each(['dpkg', 'rpm'], dpkgDraft),
};
