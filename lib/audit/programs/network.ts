/**
 * Network: interfaces, routes, firewall and traffic-control settings (read or changed), and
 * the tools that test connectivity (curl, ping, nc, dig, ...). A request that can change data
 * (POST, PUT, ...) is a change; load generators are changes too.
 */
import { has, parseArgs, value } from '../args';
import type { Effect } from '../classification';
import { basename, quoteArgv } from '../shell';
import { type ArgvContext, type Draft, DEV_NULLISH, type ProgramTable, change, each, operands, ro, unknown } from './draft';

function curlDraft(args: string[]): Draft {
  const p = parseArgs(args, {
    values: ['-X', '--request', '-d', '--data', '--data-raw', '--data-binary', '--data-urlencode', '--data-ascii', '--json', '-F', '--form', '--form-string', '-T', '--upload-file', '-o', '--output', '-H', '--header', '-u', '--user', '-m', '--max-time', '--connect-timeout', '-w', '--write-out', '-A', '--user-agent', '-e', '--referer', '-b', '--cookie', '-c', '--cookie-jar', '-x', '--proxy', '--resolve', '--retry', '-K', '--config', '--unix-socket', '-r', '--range', '-E', '--cert', '--cacert', '--key', '-D', '--dump-header', '--limit-rate', '-Y', '-y', '--max-filesize', '--interface', '--retry-delay', '--retry-max-time', '--url'],
  });
  const url = value(p, '--url') ?? p.positionals[0];
  let method = (value(p, '-X', '--request') ?? '').toUpperCase();
  const sendsBody = has(p, '-d', '--data', '--data-raw', '--data-binary', '--data-urlencode', '--data-ascii', '--json', '-F', '--form', '--form-string');
  const uploads = has(p, '-T', '--upload-file');
  if (!method) method = uploads ? 'PUT' : sendsBody ? 'POST' : has(p, '-I', '--head') ? 'HEAD' : 'GET';
  const out = value(p, '-o', '--output');
  const writes = (out !== undefined && out !== '-' && !DEV_NULLISH.test(out)) || has(p, '-O', '--remote-name', '-J');
  const dump = value(p, '-D', '--dump-header');
  const effects: Effect[] = [{ type: 'request', method, url }];
  if (writes && out) effects.push({ type: 'file', op: 'write', paths: [out] });
  if (dump && dump !== '-' && !DEV_NULLISH.test(dump)) effects.push({ type: 'file', op: 'write', paths: [dump] });
  const fileFlags = { writesFile: writes || (dump !== undefined && dump !== '-' && !DEV_NULLISH.test(dump)) };
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') {
    return { tier: 'read-only', summary: `sends a ${method} request to ${url ?? 'a URL'}`, observes: ['connectivity'], flags: { networkTest: true, ...fileFlags }, effects };
  }
  return { tier: 'change', summary: `sends a ${method} request to ${url ?? 'a URL'} (it can change data)`, observes: ['connectivity'], flags: { networkTest: true, targeted: true, ...fileFlags }, effects };
}

function wgetDraft(args: string[]): Draft {
  const p = parseArgs(args, { values: ['-O', '--output-document', '-o', '--output-file', '-a', '--append-output', '--post-data', '--post-file', '--method', '--body-data', '--body-file', '-T', '--timeout', '-t', '--tries', '--header', '-U', '--user-agent', '-P', '--directory-prefix', '--user', '--password', '-e', '--execute', '-w', '--wait'] });
  const url = p.positionals[0];
  let method = (value(p, '--method') ?? '').toUpperCase();
  if (!method) method = has(p, '--post-data', '--post-file') ? 'POST' : has(p, '--spider') ? 'HEAD' : 'GET';
  const out = value(p, '-O', '--output-document');
  const writes = !has(p, '--spider') && (out === undefined ? true : out !== '-' && !DEV_NULLISH.test(out));
  const effects: Effect[] = [{ type: 'request', method, url }];
  if (writes) effects.push({ type: 'file', op: 'write', paths: [out ?? (url ? basename(url.replace(/[?#].*$/, '')) || 'index.html' : 'index.html')] });
  if (method === 'GET' || method === 'HEAD') {
    return { tier: 'read-only', summary: `fetches ${url ?? 'a URL'}${writes ? ' into a file' : ''}`, observes: ['connectivity'], flags: { networkTest: true, writesFile: writes }, effects };
  }
  return { tier: 'change', summary: `sends a ${method} request to ${url ?? 'a URL'} (it can change data)`, observes: ['connectivity'], flags: { networkTest: true, targeted: true, writesFile: writes }, effects };
}

function ipDraft(args: string[]): Draft {
  const p = parseArgs(args, { values: ['-n', '-netns', '-f', '-family', '-b', '-batch', '-rc', '-l', '-loops'], stopAtPositional: true, positionalsBeforeRest: 1 });
  const object = p.positionals[0] ?? '';
  const verb = (p.rest[0] ?? 'show').toLowerCase();
  if (object === '' ) return ro('prints ip usage');
  if (/^mo/.test(object)) return ro('watches network changes until stopped', ['network'], { streaming: true });
  if (/^(sh|show|list|ls|lst|l|get|g|help)$/.test(verb) || verb.startsWith('-')) return ro(`shows ${object} settings`, ['network']);
  if (object === 'netns' && /^(exec|e)$/.test(verb)) return unknown('runs a command in another network namespace');
  const broad = /^(flush|f)$/.test(verb);
  return change(`${verb}s ${object} settings (${quoteArgv(p.rest.slice(1)).slice(0, 60)})`, { targeted: !broad }, [{ type: 'network', op: `${object} ${verb}`, detail: quoteArgv(p.rest) }]);
}

function iptablesDraft(prog: string, args: string[]): Draft {
  const p = parseArgs(args, { values: ['-t', '--table', '-A', '--append', '-I', '--insert', '-D', '--delete', '-R', '--replace', '-N', '--new-chain', '-X', '--delete-chain', '-E', '--rename-chain', '-P', '--policy', '-j', '--jump', '-p', '--protocol', '-s', '--source', '-d', '--destination', '-i', '--in-interface', '-o', '--out-interface', '--dport', '--sport', '-m', '--match', '-C', '--check', '-w', '--wait', '-g', '--goto', '--to-destination', '--to-source', '--comment'] });
  const mutating = has(p, '-A', '--append', '-I', '--insert', '-D', '--delete', '-R', '--replace', '-N', '--new-chain', '-X', '--delete-chain', '-E', '--rename-chain', '-P', '--policy', '-F', '--flush', '-Z', '--zero');
  if (!mutating) return ro('lists firewall rules', ['firewall']);
  const broad = has(p, '-F', '--flush', '-X', '--delete-chain', '-P', '--policy');
  const what = has(p, '-F', '--flush') ? 'flushes every rule in the chain/table' : has(p, '-P', '--policy') ? 'changes a chain policy' : 'adds, changes or removes one firewall rule';
  return change(`${prog}: ${what}`, { targeted: !broad }, [{ type: 'network', op: 'firewall', detail: quoteArgv(args) }]);
}

function tcDraft(args: string[]): Draft {
  const p = parseArgs(args, { values: ['-n', '-netns', '-b', '-batch'], stopAtPositional: true, positionalsBeforeRest: 1 });
  const object = p.positionals[0] ?? '';
  const verb = (p.rest[0] ?? 'show').toLowerCase();
  if (object === 'monitor') return ro('watches traffic-control changes until stopped', ['traffic-control'], { streaming: true });
  if (/^(show|ls|list|sh)$/.test(verb) || verb.startsWith('-')) return ro(`shows ${object || 'traffic control'} settings`, ['traffic-control']);
  return change(`${verb}s a ${object || 'traffic-control'} rule (shaping the network)`, { targeted: true }, [{ type: 'network', op: `tc ${object} ${verb}`, detail: quoteArgv(p.rest) }]);
}

function mtrDraft(_prog: string, args: string[], ctx: ArgvContext): Draft {
  if (args.some((a) => /^-[a-zA-Z]*r/.test(a) || a === '--report' || a === '-w')) return ro('mtr --report: traces the route', ['connectivity'], { networkTest: true });
  if (ctx.tty) return { tier: 'interactive', summary: 'opens mtr, a live route view', observes: ['connectivity'], flags: { networkTest: true, streaming: true } };
  return ro('mtr: traces the route', ['connectivity'], { networkTest: true });
}

function getentDraft(_prog: string, args: string[]): Draft {
  // getent hosts NAME is the name-resolution test of minimal images (no dig there).
  if (/^(hosts|ahosts|ahostsv4|ahostsv6)$/.test(args[0] ?? '')) return ro(`getent ${args[0]}: resolves a name`, ['connectivity', 'network'], { networkTest: true });
  return ro('looks up a name', ['network', 'config']);
}

function netcatDraft(prog: string, args: string[], ctx: ArgvContext): Draft {
  if (args.some((a) => /^-[a-zA-Z]*l/.test(a)) && prog !== 'telnet') return change(`${prog} -l: opens a listening port`, { targeted: true });
  const scan = args.some((a) => /^-[a-zA-Z]*z/.test(a));
  if (!scan && ctx.stdin.kind === 'terminal' && (prog === 'telnet' || prog === 'nc' || prog === 'ncat' || prog === 'netcat')) {
    return { tier: 'interactive', summary: `${prog}: opens a raw connection`, observes: ['connectivity'], flags: { networkTest: true } };
  }
  return ro(`${prog}: tests a port`, ['connectivity'], { networkTest: true });
}

function nftDraft(_prog: string, args: string[]): Draft {
  const verb = args.find((a) => !a.startsWith('-')) ?? 'list';
  if (/^(list|describe|monitor)$/.test(verb)) return ro('lists nftables rules', ['firewall'], { streaming: verb === 'monitor' });
  return change(`nft ${verb}: changes firewall rules`, { targeted: !/^flush$/.test(verb) }, [{ type: 'network', op: 'firewall', detail: quoteArgv(args) }]);
}

function pingDraft(prog: string, args: string[]): Draft {
  const bounded = args.some((a) => /^-[a-zA-Z]*c/.test(a) || /^-[a-zA-Z]*w/.test(a) || a === '--count');
  return ro(`${prog}: tests reachability${bounded ? '' : ' until stopped'}`, ['connectivity'], { networkTest: true, streaming: !bounded });
}

function captureDraft(prog: string, args: string[]): Draft {
  const bounded = args.some((a) => /^-[a-zA-Z]*c/.test(a));
  const write = args.some((a) => /^-[a-zA-Z]*w/.test(a));
  return ro(`${prog}: captures packets${bounded ? '' : ' until stopped'}`, ['network'], { streaming: !bounded, writesFile: write });
}

/** A settings change to interfaces or routes, with the command as its detail. */
const netChange = (summary: string, op: string, args: string[]): Draft => change(summary, { targeted: true }, [{ type: 'network', op, detail: quoteArgv(args) }]);

export const network: ProgramTable = {
  ip: (_prog, args) => ipDraft(args),
  ifconfig: (_prog, args) => (operands(args).length > 1 ? netChange('ifconfig: changes an interface', 'ifconfig', args) : ro('shows interfaces', ['network'])),
  route: (_prog, args) => (/^(add|del)$/.test(args.find((a) => !a.startsWith('-')) ?? '') ? netChange('route: changes the routing table', 'route', args) : ro('shows routes', ['network'])),
  ss: (_prog, args) => (args.some((a) => a === '-K' || a === '--kill') ? change('ss -K: closes matching sockets', { targeted: false }) : ro('lists sockets', ['network'])),
  ...each(['iptables', 'ip6tables', 'iptables-legacy', 'iptables-nft'], iptablesDraft),
  ...each(['iptables-restore', 'ip6tables-restore'], (prog) => change(`${prog}: replaces firewall rules`, { targeted: false }, [{ type: 'network', op: 'firewall-restore' }])),
  nft: nftDraft,
  tc: (_prog, args) => tcDraft(args),
  ...each(['ping', 'ping6', 'arping'], pingDraft),
  ...each(['traceroute', 'tracepath', 'tcptraceroute'], (prog) => ro(`${prog}: traces the route`, ['connectivity'], { networkTest: true })),
  mtr: mtrDraft,
  ...each(['nslookup', 'dig', 'host', 'drill'], (prog) => ro(`${prog}: resolves a name`, ['connectivity'], { networkTest: true })),
  getent: getentDraft,
  ...each(['nc', 'ncat', 'netcat', 'socat', 'telnet'], netcatDraft),
  openssl: (_prog, args) => (args[0] === 's_client' ? ro('openssl s_client: tests a TLS endpoint', ['connectivity'], { networkTest: true }) : unknown('runs openssl')),
  curl: (_prog, args) => curlDraft(args),
  wget: (_prog, args) => wgetDraft(args),
  ...each(['tcpdump', 'tshark'], captureDraft),
  ...each(['ab', 'wrk', 'hey', 'siege', 'vegeta', 'k6', 'locust', 'pgbench', 'sysbench'], (prog) => ({
    tier: 'change',
    summary: `${prog}: generates load against a service`,
    flags: { heavy: true, networkTest: true },
    observes: ['connectivity'],
  })),
};
