import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Classification,
  type Effect,
  type ShellContext,
  type Tier,
  TIERS,
  classifyArgv,
  classifyDockerCall,
  proxiedAction,
  classifyEvents,
  classifyShell,
  combineParts,
  maxTier,
} from '@/lib/audit/classify';
import type { DockerCallBody, SessionEvent } from '@/lib/audit/events';

const IN_API: ShellContext = { where: 'container', target: 'api' };
const IN_DB: ShellContext = { where: 'container', target: 'db' };

function tier(line: string, ctx: ShellContext = {}): Tier {
  return classifyShell(line, ctx).tier;
}

function kills(c: Classification): Extract<Effect, { type: 'kill' }>[] {
  return c.effects.filter((e): e is Extract<Effect, { type: 'kill' }> => e.type === 'kill');
}

function table(rows: [string, Tier, ShellContext?][]) {
  for (const [line, expected, ctx] of rows) {
    const c = classifyShell(line, ctx ?? {});
    assert.equal(c.tier, expected, `${line} -> ${c.tier} (${c.summary})`);
  }
}

describe('tiers and their order', () => {
  it('orders tiers from least to most severe', () => {
    assert.deepEqual([...TIERS], ['external', 'read-only', 'snapshot', 'sidecar', 'unknown', 'interactive', 'change', 'state-losing', 'destructive']);
    assert.equal(maxTier(['read-only', 'snapshot', 'external']), 'snapshot');
    assert.equal(maxTier(['unknown', 'read-only']), 'unknown');
    assert.equal(maxTier([]), 'unknown');
  });

  it('lets the most severe part of a compound line decide', () => {
    assert.equal(tier('ps aux && kill 1', IN_API), 'state-losing');
    assert.equal(tier('docker stats --no-stream api; docker restart api'), 'state-losing');
    assert.equal(tier('docker commit api snap && docker exec api kill 42'), 'change');
    const c = classifyShell('docker commit api snap && docker exec api kill 42');
    assert.deepEqual(c.parts.map((p) => p.tier), ['snapshot', 'change']);
  });

  it('lets lab parts decide over console-only parts', () => {
    const c = classifyShell('docker logs --tail 50 api | grep ERROR | wc -l');
    assert.equal(c.tier, 'external');
    assert.deepEqual(c.parts.map((p) => p.scope), ['docker', 'console', 'console']);
    assert.equal(tier('ls -la'), 'read-only');
    assert.equal(classifyShell('ls').parts[0]!.scope, 'console');
  });

  it('never calls an unknown program read-only', () => {
    table([
      ['frobnicate --all', 'unknown', IN_API],
      ['./fix.sh', 'unknown', IN_API],
      ['python3 -c "import os"', 'unknown', IN_API],
      ['bash /tmp/script.sh', 'unknown', IN_API],
      ['source ~/.bashrc', 'unknown', IN_API],
    ]);
  });

  it('combines an empty list into a harmless read', () => {
    assert.equal(combineParts([]).tier, 'read-only');
    assert.equal(classifyShell('').tier, 'read-only');
    assert.equal(classifyShell('   # just a comment').parts.length, 0);
  });
});

describe('read-only and interactive programs', () => {
  it('classifies the field-notes toolkit', () => {
    table([
      ['ps aux --sort=-%mem | head -10', 'read-only', IN_API],
      ['ps aux --sort=-%cpu', 'read-only', IN_API],
      ['free -h', 'read-only', IN_API],
      ['vmstat 1 5', 'read-only', IN_API],
      ['ss -tuln', 'read-only', IN_API],
      ['netstat -plant', 'read-only', IN_API],
      ['lsof -p $(pgrep app_process)', 'read-only', IN_API],
      ['curl -v internal-service:8080', 'read-only', IN_API],
      ['cat /var/log/app/error.log', 'read-only', IN_API],
      ['less /var/log/syslog', 'read-only', IN_API],
      ['df -h', 'read-only', IN_API],
      ['ls -la /tmp', 'read-only', IN_API],
      ['grep -i error /var/log/app.log', 'read-only', IN_API],
      ['ip addr show', 'read-only', IN_API],
      ['ip route', 'read-only', IN_API],
      ['iptables -L -n', 'read-only', IN_API],
      ['iptables -S', 'read-only', IN_API],
      ['tc qdisc show dev eth1', 'read-only', IN_API],
      ['service nginx status', 'read-only', IN_API],
      ['systemctl status postgres', 'read-only', IN_API],
      ['pip list', 'read-only', IN_API],
      ['top -b -n 1', 'read-only', IN_API],
      ['kill -0 4242', 'read-only', IN_API],
      ['kill -l', 'read-only', IN_API],
    ]);
  });

  it('treats shells, REPLs, top and psql without -c as interactive when a terminal is attached', () => {
    table([
      ['bash', 'interactive', IN_API],
      ['sh', 'interactive', IN_API],
      ['top', 'interactive', IN_API],
      ['htop', 'interactive', IN_API],
      ['python3', 'interactive', IN_API],
      ['psql -U postgres', 'interactive', IN_DB],
      ['sudo -i', 'interactive', IN_API],
      ['su - postgres', 'interactive', IN_API],
    ]);
    assert.equal(classifyShell('top', IN_API).flags.streaming, true);
  });

  it('flags streaming commands and background jobs', () => {
    const s = (line: string, ctx: ShellContext = IN_API) => classifyShell(line, ctx).flags;
    assert.equal(s('tail -f /var/log/app.log').streaming, true);
    assert.equal(s('tail -F /var/log/app.log').streaming, true);
    assert.equal(s('tail -n 50 /var/log/app.log').streaming, false);
    assert.equal(s('watch -n 1 free -m').streaming, true);
    assert.equal(s('vmstat 1').streaming, true);
    assert.equal(s('ping db').streaming, true);
    assert.equal(s('ping -c 3 db').streaming, false);
    assert.equal(s('timeout 10 tail -f /var/log/app.log').streaming, false);
    const bg = s('tail -f /var/log/app/error.log &');
    assert.ok(bg.streaming && bg.background);
    assert.ok(s('nohup tail -f /var/log/x').background);
  });

  it('flags heavy commands', () => {
    const heavy = (line: string) => classifyShell(line, IN_API).flags.heavy;
    assert.equal(heavy('du -sh /'), true);
    assert.equal(heavy('du -sh /var'), true);
    assert.equal(heavy('du -h --max-depth=1 /var'), false);
    assert.equal(heavy('du -sh /tmp/jobs'), false);
    assert.equal(heavy('find / -name "*.log"'), true);
    assert.equal(heavy('find / -maxdepth 2 -name "*.log"'), false);
    assert.equal(heavy('find /var/log -name "*.log"'), false);
    assert.equal(heavy('grep -r password /'), true);
    assert.equal(heavy('lsof'), true);
    assert.equal(heavy('lsof -p 42'), false);
    assert.equal(heavy('strace -p 42'), true);
  });

  it('flags network tests', () => {
    for (const line of ['ping -c 1 db', 'curl -fsS http://api:8080/healthz', 'wget -qO- http://api:8080', 'nc -zv db 5432', 'dig db', 'nslookup db']) {
      assert.equal(classifyShell(line, IN_API).flags.networkTest, true, line);
    }
  });
});

describe('secrets', () => {
  it('flags environment dumps and credential files', () => {
    const secrets = (line: string, ctx: ShellContext = IN_API) => classifyShell(line, ctx).flags.secrets;
    assert.equal(secrets('env'), true);
    assert.equal(secrets('printenv'), true);
    assert.equal(secrets('export -p'), true);
    assert.equal(secrets('set'), true);
    assert.equal(secrets('cat /proc/1/environ'), true);
    assert.equal(secrets("cat /proc/1/environ | tr '\\0' '\\n'"), true);
    assert.equal(secrets('cat /run/secrets/db_password'), true);
    assert.equal(secrets('cat .env'), true);
    assert.equal(secrets('printenv DB_PASSWORD'), true);
    assert.equal(secrets('echo $PGPASSWORD'), true);
    assert.equal(secrets('printenv PORT'), false);
    assert.equal(secrets('echo $HOME'), false);
    assert.equal(secrets('docker inspect api', {}), true);
    assert.equal(secrets("docker inspect -f '{{json .Config.Env}}' api", {}), true);
    assert.equal(secrets("docker inspect -f '{{.State.OOMKilled}}' api", {}), false);
  });

  it('counts a dump piped into a filter as hidden, unless the filter looks for secrets', () => {
    const secrets = (line: string, ctx: ShellContext = IN_API) => classifyShell(line, ctx).flags.secrets;
    assert.equal(secrets('env | grep PORT'), false);
    assert.equal(secrets('env | grep -i pass'), true);
    assert.equal(secrets('env | grep -v PORT'), true);
    assert.equal(secrets('env | less'), true);
    assert.equal(secrets("docker inspect api | jq '.[0].State'", {}), false);
    assert.equal(secrets("docker inspect api | jq '.[0].Config.Env'", {}), true);
    assert.equal(secrets('docker exec api env | cut -d= -f1', {}), false);
    assert.equal(secrets('docker exec api env', {}), true);
  });
});

describe('kill and friends', () => {
  it('reads which process, which signal, and whether it is PID 1', () => {
    const c = classifyShell('kill -9 4242', IN_API);
    assert.equal(c.tier, 'change');
    assert.deepEqual(kills(c)[0], { type: 'kill', signal: 'KILL', pids: [4242], names: [], broad: false, pid1: false, via: 'kill' });
    assert.ok(c.flags.targeted);
    for (const spec of ['-s KILL', '-SIGKILL', '-KILL', '--signal=KILL', '-n 9']) {
      assert.equal(kills(classifyShell(`kill ${spec} 4242`, IN_API))[0]?.signal, 'KILL', spec);
    }
    assert.equal(kills(classifyShell('kill 4242', IN_API))[0]?.signal, 'TERM');
  });

  it('treats killing PID 1 (or every process) as state-losing, but not a reload signal', () => {
    assert.equal(tier('kill 1', IN_API), 'state-losing');
    assert.equal(tier('kill -INT 1', IN_API), 'state-losing');
    assert.equal(tier('kill -9 -1', IN_API), 'state-losing');
    assert.equal(tier('sudo kill -TERM 1', IN_API), 'state-losing');
    assert.equal(tier('kill -HUP 1', IN_API), 'change');
    assert.ok(kills(classifyShell('kill 1', IN_API))[0]?.pid1);
  });

  it('knows the kernel drops SIGKILL/SIGSTOP sent to PID 1 from inside its own PID namespace', () => {
    for (const line of ['kill -9 1', 'kill -KILL 1', 'kill -s KILL 1', 'kill -SIGKILL 1', 'sudo kill -9 1', 'kill -STOP 1']) {
      const c = classifyShell(line, IN_API);
      assert.equal(c.tier, 'change', line);
      const k = kills(c)[0];
      assert.ok(k?.pid1 && k.ignored, line);
      assert.match(c.summary, /kernel ignores it/, line);
    }
    // The same through docker exec and in a sidecar that shares api's PID namespace.
    assert.equal(tier('docker exec api kill -9 1'), 'change');
    assert.equal(classifyArgv(['kill', '-9', '1'], { where: 'container', target: 'api' }).tier, 'change');
    // Other PIDs on the same line are still killed.
    const both = classifyShell('kill -9 1 4242', IN_API);
    assert.match(both.summary, /kills 4242/);
    // TERM reaches a PID 1 that handles it (tini, a shell): still evidence-losing.
    for (const line of ['kill 1', 'kill -TERM 1', 'kill -s TERM 1', 'kill -15 1']) {
      const c = classifyShell(line, IN_API);
      assert.equal(c.tier, 'state-losing', line);
      assert.ok(!kills(c)[0]?.ignored, line);
    }
    // From outside the namespace Docker's kill is delivered whatever the signal.
    assert.equal(tier('docker kill api'), 'state-losing');
    assert.equal(tier('docker kill -s KILL api'), 'state-losing');
  });

  it('follows $(...) and backticks to the processes they pick', () => {
    const c = classifyShell('kill -9 $(pgrep ledger-rollup)', IN_API);
    assert.equal(c.tier, 'change');
    assert.deepEqual(c.parts.map((p) => p.program), ['pgrep', 'kill']);
    assert.deepEqual(c.parts.map((p) => p.tier), ['read-only', 'change']);
    assert.deepEqual(kills(c)[0]?.names, ['ledger-rollup']);
    assert.equal(kills(c)[0]?.broad, false);
    assert.ok(c.flags.targeted);
    assert.deepEqual(kills(classifyShell('kill `pgrep -x ledger-rollup`', IN_API))[0]?.names, ['ledger-rollup']);
    assert.equal(kills(classifyShell('kill $(pgrep python)', IN_API))[0]?.broad, true);
    assert.equal(kills(classifyShell('kill $(cat /var/run/job.pid)', IN_API))[0]?.broad, false);
    const loop = classifyShell('for p in $(pgrep python); do kill $p; done', IN_API);
    assert.equal(kills(loop)[0]?.broad, true);
    assert.equal(loop.flags.targeted, false);
    assert.equal(kills(classifyShell('PID=$(pgrep -x ledger-rollup); kill $PID', IN_API))[0]?.broad, false);
  });

  it('reads ps | grep | awk | xargs kill as a kill by the grepped name', () => {
    const c = classifyShell("ps aux | grep ledger-rollup | grep -v grep | awk '{print $2}' | xargs kill -9", IN_API);
    assert.equal(c.tier, 'change');
    assert.deepEqual(kills(c)[0]?.names, ['ledger-rollup']);
    assert.equal(kills(c)[0]?.signal, 'KILL');
    assert.deepEqual(c.programs, ['ps', 'grep', 'awk', 'xargs', 'kill']);
  });

  it('calls pkill/killall by a generic or short pattern broad (a change, not targeted)', () => {
    for (const line of ['pkill python', 'pkill python3', 'killall python3', 'pkill -f py', 'pkill -f .', 'pkill -u app']) {
      const c = classifyShell(line, IN_API);
      assert.equal(c.tier, 'change', line);
      assert.equal(c.flags.targeted, false, line);
      assert.equal(kills(c)[0]?.broad, true, line);
    }
    for (const line of ['pkill -f ledger-rollup', 'killall -9 ledger-rollup', 'pkill -x ledger-rollup', 'pkill -n python3']) {
      assert.equal(classifyShell(line, IN_API).flags.targeted, true, line);
    }
  });
});

describe('files, packages, services, network', () => {
  it('separates destructive file operations from small changes', () => {
    table([
      ['rm -rf /var/lib/data', 'destructive', IN_API],
      ['rm -f /tmp/*.tmp', 'destructive', IN_API],
      ['rm /var/log/app.log', 'destructive', IN_API],
      ['rm /tmp/job.lock', 'change', IN_API],
      ['truncate -s0 /var/log/app.log', 'destructive', IN_API],
      ['truncate -s 0 /var/lib/postgresql/data/base/1', 'destructive', IN_API],
      [': > /var/log/app.log', 'destructive', IN_API],
      ['> /var/log/app.log', 'destructive', IN_API],
      ['echo "" > /var/log/app.log', 'destructive', IN_API],
      ['find /tmp -name "*.tmp" -delete', 'destructive', IN_API],
      ['find /var/log -name "*.gz" -exec rm {} \\;', 'destructive', IN_API],
      ['find /etc -name "*.conf" -exec cat {} +', 'read-only', IN_API],
      ['mv /etc/app.conf /etc/app.conf.bak', 'change', IN_API],
      ['cp /etc/app.conf /tmp/', 'change', IN_API],
      ["sed -i 's/debug/info/' /etc/app.conf", 'change', IN_API],
      ["sed 's/debug/info/' /etc/app.conf", 'read-only', IN_API],
      ['echo 1 | tee /tmp/flag', 'change', IN_API],
      ['vi /etc/app.conf', 'change', IN_API],
    ]);
  });

  it('calls an unbounded docker logs heavy: no tail, no time window, no reader that stops early', () => {
    for (const line of ['docker logs api', 'docker logs --tail all api', 'docker logs -f api', 'docker logs api > api.log 2>&1', 'docker logs api | sed -n 1,5p']) {
      assert.equal(classifyShell(line).flags.heavy, true, line);
    }
    for (const line of ['docker logs --tail 50 api', 'docker logs -n 20 api', 'docker logs --since 10s api | wc -l', 'docker logs api 2>&1 | grep -v retrying | head', 'docker logs api 2>&1 | grep -m 1 ERROR', 'docker logs api | sed 5q']) {
      assert.equal(classifyShell(line).flags.heavy, false, line);
    }
  });

  it('counts getent hosts as a name-resolution test, other getent databases as look-ups', () => {
    assert.equal(classifyShell('getent hosts inventory', IN_API).flags.networkTest, true);
    assert.equal(classifyShell('getent ahostsv4 inventory', IN_API).flags.networkTest, true);
    assert.equal(classifyShell('getent passwd app', IN_API).flags.networkTest, false);
  });

  it('saves what a read-only sidecar showed as a snapshot, and reads a held file through its descriptor as a file', () => {
    const saved = classifyShell('docker run --rm --pid container:svc sickbay/service:latest ls -l /proc/1/fd > fds.txt');
    assert.equal(saved.tier, 'snapshot');
    assert.equal(classifyShell('docker run --rm --pid container:svc sickbay/service:latest ls -l /proc/1/fd').tier, 'sidecar');
    assert.deepEqual(classifyShell('docker exec api tail -c 1M /proc/1/fd/7 > held.log').observes, ['filesystem']);
  });

  it('treats emptying a file through a process descriptor as a targeted change (the deleted-but-open remedy)', () => {
    for (const line of [': > /proc/123/fd/4', '> /proc/$PID/fd/$FD', 'truncate -s 0 /proc/${PID}/fd/7', 'truncate -s 0 /proc/self/fd/3']) {
      const c = classifyShell(line, IN_API);
      assert.equal(c.tier, 'change', line);
      assert.equal(c.flags.targeted, true, line);
      assert.match(c.summary, /keeps running/, line);
    }
    // Only descriptors count: a named file, or one descriptor plus a named file, stays destructive.
    assert.equal(classifyShell('truncate -s 0 /proc/123/fd/4 /var/log/app.log', IN_API).tier, 'destructive');
    assert.equal(classifyShell('truncate -s 0 /proc/123/fdinfo/4', IN_API).tier, 'destructive');
    assert.equal(classifyShell('docker exec api sh -c ": > /proc/7/fd/3"').tier, 'change');
  });

  it('treats a redirection to a file inside a container as a write, but not /dev/null or 2>&1', () => {
    const w = classifyShell('ps aux > /tmp/ps.txt', IN_API);
    assert.equal(w.tier, 'change');
    assert.ok(w.flags.writesFile);
    const quiet = classifyShell('ps aux > /dev/null 2>&1', IN_API);
    assert.equal(quiet.tier, 'read-only');
    assert.equal(quiet.flags.writesFile, false);
    assert.equal(classifyShell('curl -s -o /tmp/page http://x', IN_API).flags.writesFile, true);
    assert.equal(classifyShell('curl -s -o /dev/null http://x', IN_API).flags.writesFile, false);
    assert.equal(classifyShell('wget http://x/file.tar', IN_API).flags.writesFile, true);
    assert.equal(classifyShell('wget -qO- http://x', IN_API).flags.writesFile, false);
  });

  it('reads curl and wget methods', () => {
    table([
      ['curl http://api:8080/api/orders', 'read-only', IN_API],
      ['curl -I http://api:8080', 'read-only', IN_API],
      ['curl -X POST http://api:8080/admin/gc', 'change', IN_API],
      ['curl -X DELETE http://api:8080/cache', 'change', IN_API],
      ['curl --request PATCH http://x', 'change', IN_API],
      ['curl -d a=1 http://x', 'change', IN_API],
      ['curl --data-binary @f http://x', 'change', IN_API],
      ['curl -F file=@x http://x', 'change', IN_API],
      ['curl -T f http://x', 'change', IN_API],
      ['curl --upload-file f http://x', 'change', IN_API],
      ['wget --post-data=a=1 http://x', 'change', IN_API],
      ['wget --spider http://x', 'read-only', IN_API],
    ]);
    const e = classifyShell('curl -X POST http://x', IN_API).effects.find((x) => x.type === 'request');
    assert.deepEqual(e, { type: 'request', method: 'POST', url: 'http://x' });
  });

  it('flags package installs in a running container', () => {
    for (const line of ['apt-get install -y strace', 'apt install procps', 'apk add curl', 'pip install requests', 'pip3 install -U x', 'npm install', 'yum install gdb', 'python3 -m pip install x']) {
      const c = classifyShell(line, IN_API);
      assert.equal(c.tier, 'change', line);
      assert.equal(c.flags.packageInstall, true, line);
    }
    assert.equal(classifyShell('apt-get update', IN_API).flags.packageInstall, false);
    assert.equal(tier('apt-cache policy strace', IN_API), 'read-only');
  });

  it('reads service managers', () => {
    table([
      ['service nginx restart', 'state-losing', IN_API],
      ['service nginx stop', 'state-losing', IN_API],
      ['service nginx start', 'change', IN_API],
      ['service nginx reload', 'change', IN_API],
      ['systemctl restart postgres', 'state-losing', IN_API],
      ['systemctl is-active postgres', 'read-only', IN_API],
      ['supervisorctl restart worker', 'state-losing', IN_API],
      ['pg_ctl restart -D /var/lib/postgresql/data', 'state-losing', IN_DB],
      ['pg_ctl status', 'read-only', IN_DB],
      ['reboot', 'state-losing', IN_API],
    ]);
  });

  it('reads ip, iptables and tc', () => {
    table([
      ['ip -br addr', 'read-only', IN_API],
      ['ip link set eth1 down', 'change', IN_API],
      ['ip route add default via 10.0.0.1', 'change', IN_API],
      ['ip addr flush dev eth1', 'change', IN_API],
      ['iptables -A INPUT -p tcp --dport 5432 -j DROP', 'change', IN_API],
      ['iptables -D INPUT 1', 'change', IN_API],
      ['iptables -I INPUT -s 10.0.0.5 -j ACCEPT', 'change', IN_API],
      ['iptables -F', 'change', IN_API],
      ['iptables -P INPUT DROP', 'change', IN_API],
      ['iptables -t nat -nvL', 'read-only', IN_API],
      ['tc qdisc add dev eth1 root tbf rate 1mbit burst 32kbit latency 400ms', 'change', IN_API],
      ['tc qdisc del dev eth1 root', 'change', IN_API],
      ['tc -s qdisc ls dev eth1', 'read-only', IN_API],
    ]);
    assert.equal(classifyShell('iptables -F', IN_API).flags.targeted, false);
    assert.equal(classifyShell('ip addr flush dev eth1', IN_API).flags.targeted, false);
    assert.equal(classifyShell('iptables -A INPUT -j DROP', IN_API).flags.targeted, true);
  });
});

describe('wrappers', () => {
  it('unwraps sudo, env, nice, timeout, nohup, stdbuf, xargs and watch', () => {
    const c = classifyShell('sudo -u root env FOO=1 nice -n 10 timeout 5 kill 1', IN_API);
    assert.equal(c.tier, 'state-losing');
    assert.equal(c.parts[0]?.program, 'kill');
    assert.deepEqual(c.parts[0]?.via, ['sudo', 'env', 'nice', 'timeout']);
    assert.deepEqual(c.programs, ['sudo', 'env', 'nice', 'timeout', 'kill']);
    assert.equal(tier('sudo rm -rf /data', IN_API), 'destructive');
    assert.equal(tier('stdbuf -oL tail -n 5 /var/log/x', IN_API), 'read-only');
    assert.equal(tier('echo 42 | xargs kill', IN_API), 'change');
    assert.equal(tier('watch "kill 1"', IN_API), 'state-losing');
    assert.equal(tier('sudo', IN_API), 'read-only');
  });

  it("recurses into bash -c '...' and sh -c", () => {
    assert.equal(tier("bash -c 'ps aux; free -m'", IN_API), 'read-only');
    assert.equal(tier("sh -c 'ps aux && rm -rf /var/lib/app'", IN_API), 'destructive');
    assert.equal(tier("bash -lc 'kill 1'", IN_API), 'state-losing');
    assert.equal(tier(`sudo sh -c "echo 3 > /proc/sys/vm/drop_caches"`, IN_API), 'change');
    assert.equal(tier("su postgres -c 'psql -c \"DROP TABLE orders\"'", IN_DB), 'destructive');
    const nested = classifyShell("docker exec api sh -c 'kill $(pgrep -f ledger-rollup)'");
    assert.equal(nested.tier, 'change');
    assert.deepEqual(kills(nested)[0]?.names, ['ledger-rollup']);
  });
});

describe('docker CLI at the console', () => {
  it('classifies external observations', () => {
    table([
      ['docker logs --tail 50 api', 'external'],
      ['docker logs -f api', 'external'],
      ['docker stats --no-stream api', 'external'],
      ['docker stats api --format "table {{.Container}}\\t{{.CPUPerc}}\\t{{.MemUsage}}"', 'external'],
      ['docker inspect api', 'external'],
      ['docker top api', 'external'],
      ['docker ps -a', 'external'],
      ['docker events --since 10m', 'external'],
      ['docker diff api', 'external'],
      ['docker port api', 'external'],
      ['docker network inspect app', 'external'],
      ['docker network ls', 'external'],
      ['docker container ls', 'external'],
      ['docker --context default logs api', 'external'],
    ]);
    const s = (line: string) => classifyShell(line).flags.streaming;
    assert.equal(s('docker logs -f api'), true);
    assert.equal(s('docker logs --follow --tail 10 api'), true);
    assert.equal(s('docker logs --tail 10 api'), false);
    assert.equal(s('docker stats'), true);
    assert.equal(s('docker stats --no-stream'), false);
    assert.equal(s('docker events'), true);
    assert.equal(s('docker events --since 10m --until 0s'), false);
  });

  it('tells exec -it with a shell from -i, -t and a plain exec', () => {
    assert.equal(tier('docker exec -it api bash'), 'interactive');
    assert.equal(tier('docker exec -ti api /bin/sh'), 'interactive');
    assert.equal(tier('docker exec -i api bash'), 'interactive');
    assert.equal(tier('docker exec -t api bash'), 'read-only');
    assert.equal(tier('docker exec api bash'), 'read-only');
    assert.equal(tier('docker exec -i api sh < fix.sh'), 'unknown');
    assert.equal(tier("docker exec -i api sh <<'EOF'\nps aux\nEOF"), 'read-only');
    assert.equal(tier('docker exec -it api ps aux'), 'read-only');
    assert.equal(tier('docker exec -it db psql -U postgres'), 'interactive');
    assert.equal(tier('docker exec -it api top'), 'interactive');
    assert.equal(tier('docker exec -u root -w /tmp -e A=1 api cat /etc/hostname'), 'read-only');
    const c = classifyShell('docker exec api ps aux --sort=-%mem');
    assert.equal(c.tier, 'read-only');
    assert.equal(c.parts[0]?.dockerAction, 'exec');
    assert.equal(c.parts[0]?.target, 'api');
    assert.deepEqual(c.parts[0]?.inner?.parts[0]?.argv, ['ps', 'aux', '--sort=-%mem']);
    assert.ok(c.observes.includes('processes'));
    assert.ok(classifyShell('docker exec -d api tail -f /var/log/x').flags.background);
  });

  it('classifies state-losing, changes, snapshots and sidecars', () => {
    table([
      ['docker restart api', 'state-losing'],
      ['docker stop api', 'state-losing'],
      ['docker rm -f api', 'state-losing'],
      ['docker kill api', 'state-losing'],
      ['docker container restart api', 'state-losing'],
      ['docker compose restart api', 'state-losing'],
      ['docker compose down', 'state-losing'],
      ['docker kill -s HUP api', 'change'],
      ['docker start api', 'change'],
      ['docker pause api', 'change'],
      ['docker unpause api', 'change'],
      ['docker update --memory 512m --memory-swap 512m api', 'change'],
      ['docker network connect app api', 'change'],
      ['docker network disconnect app api', 'change'],
      ['docker cp ./fix.conf api:/etc/app.conf', 'change'],
      ['docker commit api api-before-fix', 'snapshot'],
      ['docker cp api:/var/log/app.log ./app.log', 'snapshot'],
      ['docker export api > api.tar', 'snapshot'],
      ['docker run --rm -it --pid container:api --net container:api nicolaka/netshoot', 'sidecar'],
      ['docker run --rm --network=container:api nicolaka/netshoot ss -tnp', 'sidecar'],
      ['docker run --rm --net container:api --cap-add NET_ADMIN nicolaka/netshoot iptables -A INPUT -j DROP', 'change'],
      ['docker run --rm --pid container:api busybox kill 1', 'state-losing'],
      ['docker run --rm debian echo hi', 'change'],
      ['docker volume rm data', 'destructive'],
      ['docker system prune -f', 'destructive'],
    ]);
    const r = classifyShell('docker restart $(docker ps -q)');
    assert.equal(r.tier, 'state-losing');
    assert.deepEqual(r.targets, ['*']);
    const side = classifyShell('docker run --rm -it --pid container:api nicolaka/netshoot');
    assert.deepEqual(side.effects[0], { type: 'sidecar', joins: 'api', namespaces: ['pid'], image: 'nicolaka/netshoot' });
    assert.equal(side.targets[0], 'api');
  });

  it('treats saving logs or stats to a file as a snapshot', () => {
    for (const line of ['docker logs api > api.log', 'docker logs api > api.log 2>&1', 'docker logs --tail 500 api 2>&1 | tee api.log', 'docker stats --no-stream > stats.txt', 'docker inspect api > inspect.json']) {
      const c = classifyShell(line);
      assert.equal(c.tier, 'snapshot', line);
      assert.ok(c.effects.some((e) => e.type === 'save-output'), line);
    }
    assert.equal(tier('docker logs api > /dev/null'), 'external');
    assert.equal(tier('docker logs api | grep ERROR'), 'external');
  });
});

describe('psql', () => {
  it('classifies -c SQL, several statements, heredocs, pipes and -f', () => {
    assert.equal(tier("psql -U postgres -c 'SELECT * FROM pg_stat_activity'", IN_DB), 'read-only');
    assert.equal(tier("psql -c 'SELECT 1; DROP TABLE orders'", IN_DB), 'destructive');
    assert.equal(tier("psql -c 'SELECT 1' -c 'TRUNCATE orders'", IN_DB), 'destructive');
    assert.equal(tier("psql -c 'CREATE INDEX CONCURRENTLY i ON orders (customer_id)'", IN_DB), 'change');
    assert.equal(tier('psql <<EOF\nSELECT 1;\nDELETE FROM orders;\nEOF', IN_DB), 'destructive');
    assert.equal(tier(`psql <<< 'select pg_terminate_backend(123)'`, IN_DB), 'change');
    assert.equal(tier(`echo 'select 1' | psql`, IN_DB), 'read-only');
    assert.equal(tier('psql -f /tmp/fix.sql', IN_DB), 'unknown');
    assert.equal(tier('cat fix.sql | psql', IN_DB), 'unknown');
    assert.equal(tier('psql -l', IN_DB), 'read-only');
    const c = classifyShell(`docker exec db psql -U postgres -c "SELECT pid, state FROM pg_stat_activity WHERE state <> 'idle'; SELECT pg_cancel_backend(77)"`);
    assert.equal(c.tier, 'change');
    assert.equal(c.parts[0]?.inner?.parts[0]?.inner?.parts.length, 2);
    assert.ok(c.flags.targeted);
    assert.equal(tier(`echo "select 1" | docker exec -i db psql -U postgres`), 'read-only');
  });

  it('reads a line typed inside a container as SQL when it looks like SQL', () => {
    assert.equal(tier('SELECT * FROM pg_locks;', IN_DB), 'read-only');
    assert.equal(tier('DROP TABLE orders;', IN_DB), 'destructive');
    assert.equal(tier('\\dt', IN_DB), 'read-only');
    assert.equal(tier('set -x', IN_DB), 'read-only');
    assert.equal(tier('truncate -s 0 /var/log/x.log', IN_DB), 'destructive');
    assert.equal(classifyShell('TRUNCATE orders;', IN_DB).parts[0]?.program, 'sql');
    assert.equal(classifyShell('DELETE FROM t', { ...IN_DB, mode: 'sql' }).tier, 'destructive');
  });
});

describe('classifyArgv (exec without a shell)', () => {
  it('classifies the exec argv and respects tty/stdin', () => {
    assert.equal(classifyArgv(['ps', 'aux'], { target: 'api' }).tier, 'read-only');
    assert.equal(classifyArgv(['bash'], { target: 'api', tty: true, stdin: true }).tier, 'interactive');
    assert.equal(classifyArgv(['bash'], { target: 'api' }).tier, 'read-only');
    assert.equal(classifyArgv(['sh', '-c', 'kill 1'], { target: 'api' }).tier, 'state-losing');
    assert.equal(classifyArgv(['kill', '$(pgrep x)'], { target: 'api' }).tier, 'change');
    assert.equal(classifyArgv([]).tier, 'read-only');
    assert.equal(classifyArgv(['ps'], { target: 'api' }).parts[0]?.scope, 'container');
  });
});

function call(action: string, extra: Partial<DockerCallBody> = {}): DockerCallBody {
  return { kind: 'docker', action, method: 'GET', path: `/containers/api/${action}`, target: 'api', allowed: true, ...extra };
}

describe('classifyDockerCall (proxy events)', () => {
  it('maps observation calls to external, with streaming from the flags', () => {
    for (const a of ['logs', 'stats', 'inspect', 'top', 'ps', 'events', 'diff', 'port', 'network-inspect']) {
      assert.equal(classifyDockerCall(call(a)).tier, 'external', a);
    }
    assert.equal(classifyDockerCall(call('logs', { flags: { follow: true } })).flags.streaming, true);
    assert.equal(classifyDockerCall(call('logs', { flags: { follow: false, tail: 50 } })).flags.streaming, false);
    assert.equal(classifyDockerCall(call('stats', { flags: { stream: false } })).flags.streaming, false);
    assert.equal(classifyDockerCall(call('stats', { flags: { stream: '0' } })).flags.streaming, false);
    assert.equal(classifyDockerCall(call('stats')).flags.streaming, true);
    assert.equal(classifyDockerCall(call('inspect')).flags.secrets, false);
  });

  it('classifies exec by its command and tty', () => {
    assert.equal(classifyDockerCall(call('exec', { command: ['ps', 'aux'] })).tier, 'read-only');
    assert.equal(classifyDockerCall(call('exec', { command: ['bash'], flags: { tty: true, stdin: true } })).tier, 'interactive');
    assert.equal(classifyDockerCall(call('exec', { command: ['psql', '-U', 'postgres'], flags: { tty: true, attachStdin: true } })).tier, 'interactive');
    assert.equal(classifyDockerCall(call('exec', { command: ['kill', '1'] })).tier, 'state-losing');
    assert.equal(classifyDockerCall(call('exec', { command: ['sh', '-c', 'kill $(pgrep -f ledger)'] })).tier, 'change');
    const start = classifyDockerCall(call('exec-start'));
    assert.equal(start.companion, true);
    assert.equal(classifyDockerCall(call('exec-inspect')).companion, true);
  });

  it('classifies lifecycle, snapshot and network calls', () => {
    const rows: [string, Tier, Partial<DockerCallBody>?][] = [
      ['restart', 'state-losing'],
      ['stop', 'state-losing'],
      ['kill', 'state-losing'],
      ['kill', 'change', { flags: { signal: 'SIGHUP' } }],
      ['rm', 'state-losing'],
      ['start', 'change'],
      ['pause', 'change'],
      ['unpause', 'change'],
      ['update', 'change', { flags: { memory: 536870912 } }],
      ['commit', 'snapshot'],
      ['cp-out', 'snapshot'],
      ['cp-in', 'change'],
      ['network-connect', 'change', { flags: { network: 'app' } }],
      ['network-disconnect', 'change'],
      ['run', 'sidecar', { flags: { pidMode: 'container:api', image: 'netshoot' } }],
      ['run', 'change', { flags: { image: 'debian' } }],
      ['run', 'change', { flags: { networkMode: 'container:api' }, command: ['iptables', '-A', 'INPUT', '-j', 'DROP'] }],
      ['volume-rm', 'destructive'],
      ['teleport', 'unknown'],
    ];
    for (const [a, t, extra] of rows) assert.equal(classifyDockerCall(call(a, extra)).tier, t, `${a} ${JSON.stringify(extra ?? {})}`);
    assert.deepEqual(classifyDockerCall(call('run', { flags: { pidMode: 'container:api' } })).effects[0], { type: 'sidecar', joins: 'api', namespaces: ['pid'], image: undefined });
  });

  it('reads the proxy\'s own names: docker cp as "cp" with a direction, a sidecar\'s joined container bare', () => {
    // As server/proxy logs them (see test/integration/proxy.test.ts): one route "cp" for the
    // archive endpoint, its direction in the flags; --pid/--net container:X as pid/net = X.
    const cp = (method: string, direction: string) => call('cp', { method, path: '/containers/api/archive', flags: { path: '/srv/app/app.log', direction } });
    const out = classifyDockerCall(cp('GET', 'out'));
    assert.equal(out.tier, 'snapshot');
    assert.deepEqual(out.observes, ['filesystem']);
    assert.equal(classifyDockerCall(cp('PUT', 'in')).tier, 'change');
    const stat = classifyDockerCall(cp('HEAD', 'stat'));
    assert.equal(stat.companion, true);
    assert.notEqual(stat.tier, 'unknown');
    assert.equal(proxiedAction(call('cp', { method: 'GET', flags: { direction: 'out' } })), 'cp-out');
    assert.equal(proxiedAction(call('cp', { method: 'PUT' })), 'cp-in', 'the method decides when the flag is missing');
    assert.equal(proxiedAction(call('Logs')), 'logs');

    const sidecar = (flags: Record<string, string | boolean>, command?: string[]) =>
      classifyDockerCall({ kind: 'docker', action: 'run', method: 'POST', path: '/containers/create', target: 'dbg-1a2b3c', flags: { image: 'sickbay/service:latest', tty: false, interactive: false, ...flags }, command, allowed: true, status: 201 });
    const joined = sidecar({ pid: 'api', net: 'api' }, ['ps', '-e']);
    assert.equal(joined.tier, 'sidecar');
    assert.deepEqual(joined.effects[0], { type: 'sidecar', joins: 'api', namespaces: ['pid', 'net'], image: 'sickbay/service:latest' });
    assert.equal(sidecar({ pid: 'api' }, ['kill', '1']).tier, 'state-losing', 'a sidecar\'s own command still lifts it');
    assert.equal(sidecar({ net: 'host' }).tier, 'change', 'a network mode is not a container');
    assert.equal(sidecar({}).tier, 'change');
  });
});

describe('classifyEvents', () => {
  let id = 0;
  const ev = (t: number, body: Record<string, unknown>): SessionEvent => ({ id: ++id, t, at: t, sessionId: 's', ...body }) as unknown as SessionEvent;

  it('reads lines typed inside an interactive psql as SQL, statement by statement', () => {
    const events = [
      ev(1, { kind: 'docker', action: 'exec', method: 'POST', path: '/x', target: 'db', command: ['psql', '-U', 'postgres'], flags: { tty: true, stdin: true }, allowed: true }),
      ev(2, { kind: 'typed', where: 'exec', target: 'db', line: 'SELECT pid, state', approximate: false }),
      ev(3, { kind: 'typed', where: 'exec', target: 'db', line: 'FROM pg_stat_activity;', approximate: false }),
      ev(4, { kind: 'typed', where: 'exec', target: 'db', line: 'DELETE FROM orders', approximate: false }),
      ev(5, { kind: 'typed', where: 'exec', target: 'db', line: "WHERE id = 5;", approximate: false }),
      ev(6, { kind: 'typed', where: 'exec', target: 'db', line: '\\q', approximate: false }),
      ev(7, { kind: 'typed', where: 'exec', target: 'db', line: 'ls /var/lib/postgresql', approximate: false }),
      ev(8, { kind: 'lifecycle', status: 'ready' }),
    ];
    const c = classifyEvents(events).map((x) => x.classification);
    assert.equal(c[0]?.tier, 'interactive');
    assert.equal(c[1]?.pending, true);
    assert.equal(c[2]?.tier, 'read-only');
    assert.ok(c[2]?.observes.includes('db-activity'));
    assert.equal(c[3]?.pending, true);
    assert.equal(c[4]?.tier, 'change', 'the DELETE has a WHERE on its second line');
    assert.equal(c[5]?.summary, 'leaves psql');
    assert.equal(c[6]?.parts[0]?.program, 'ls');
    assert.equal(c[7], null);
  });

  it('classifies console lines and exec lines with their target', () => {
    const events = [
      ev(1, { kind: 'typed', where: 'console', line: 'docker logs api', approximate: false }),
      ev(2, { kind: 'typed', where: 'exec', target: 'api', line: 'kill 1', approximate: false }),
    ];
    const [a, b] = classifyEvents(events);
    assert.equal(a?.classification?.tier, 'external');
    assert.equal(b?.classification?.tier, 'state-losing');
    assert.deepEqual(b?.classification?.targets, ['api']);
  });
});

describe('lines nobody types', () => {
  it('reads command substitutions up to a nesting limit and marks deeper ones unreadable, without throwing', () => {
    const deep = classifyShell('$('.repeat(2047));
    assert.equal(deep.incomplete, true);
    const nested = classifyShell('echo $(echo $(echo $(cat /etc/hostname)))');
    assert.equal(nested.tier, 'read-only');
  });
});
