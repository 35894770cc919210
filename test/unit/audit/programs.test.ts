import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyEvents, classifyShell } from '@/lib/audit/classify';
import { DOMAINS } from '@/lib/audit/programs';

describe('the program table', () => {
  it('puts every program in exactly one domain', () => {
    const seen = new Map<string, string>();
    for (const [domain, table] of Object.entries(DOMAINS)) {
      for (const name of Object.keys(table)) {
        assert.equal(seen.get(name), undefined, `${name} is in both ${seen.get(name)} and ${domain}`);
        seen.set(name, domain);
      }
    }
    assert.ok(seen.size > 200, `only ${seen.size} programs`);
  });

  it('finds each program in its domain', () => {
    assert.ok(DOMAINS.processes?.kill && DOMAINS.network?.curl && DOMAINS.databases?.psql);
    assert.equal(classifyShell('kill -9 42', { where: 'container', target: 'api' }).tier, 'change');
    assert.equal(classifyShell('curl -X POST http://api/x').tier, 'change');
    assert.equal(classifyShell('psql -c "drop table t"', { where: 'container', target: 'db' }).tier, 'destructive');
  });

  it("does not take a name of Object's own members for a program", () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty x', 'sudo valueOf']) {
      const c = classifyShell(name, { where: 'container', target: 'api' });
      assert.equal(c.tier, 'unknown', name);
      assert.match(c.summary, /cannot classify/);
    }
    const events = classifyEvents([{ id: 1, sessionId: 's', t: 0, at: 0, kind: 'typed', where: 'console', line: 'toString', approximate: false }]);
    assert.equal(events[0]?.classification?.tier, 'unknown');
  });
});

describe("listing processes' descriptors", () => {
  // Who holds a deleted file: lsof says it, and so does a look through /proc/<pid>/fd (the
  // alternative expert path of disk-full-deleted-file). Both show the processes.
  const inApi = { where: 'container', target: 'api' } as const;
  it('ls of /proc/<pid>/fd observes the processes, as lsof does', () => {
    for (const line of ['ls -l /proc/1/fd', 'ls -la /proc/42/fd/', 'ls -l /proc/self/fd']) {
      const c = classifyShell(line, inApi);
      assert.equal(c.tier, 'read-only', line);
      assert.ok(c.observes.includes('processes') && c.observes.includes('process-state'), `${line}: ${c.observes.join(', ')}`);
    }
    assert.ok(!classifyShell('ls -l /proc/1/cwd', inApi).observes.includes('processes'), 'a process directory other than fd is its state, not who holds what');
    assert.ok(!classifyShell('ls -l /data', inApi).observes.includes('processes'));
  });

  it("find over every process's fd observes the processes; over a plain tree it does not", () => {
    for (const line of ["find /proc/[0-9]*/fd -lname '/data/*(deleted)'", "find /proc/*/fd -lname '*deleted*' -printf '%p %l\\n'", 'find /proc/1 -maxdepth 2']) {
      const c = classifyShell(line, inApi);
      assert.equal(c.tier, 'read-only', line);
      assert.ok(c.observes.includes('processes'), `${line}: ${c.observes.join(', ')}`);
    }
    assert.deepEqual(classifyShell("find /data -name '*.log'", inApi).observes, ['filesystem']);
  });
});

describe('what /run holds', () => {
  // A program's status, queue or state file under /run is what it is doing now, not its config,
  // whatever the extension (the oom-limit alternative path reads the worker's status.json).
  const inWorker = { where: 'container', target: 'worker' } as const;
  it('a status file under /run observes app-state, not config', () => {
    for (const line of ['cat /run/render-worker/status.json', 'cat /var/run/app/queue.json', 'head -n 5 /run/supervise/starts']) {
      const c = classifyShell(line, inWorker);
      assert.equal(c.tier, 'read-only', line);
      assert.deepEqual(c.observes, ['app-state'], line);
    }
  });
  it('config under /etc and secrets under /run keep their meaning', () => {
    assert.deepEqual(classifyShell('cat /etc/render-worker/worker.conf', inWorker).observes, ['config']);
    const secret = classifyShell('cat /run/secrets/db_password', inWorker);
    assert.ok(secret.flags.secrets && !secret.observes.includes('app-state'));
  });
});
