import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyShell } from '@/lib/audit/classify';
import { createRng } from '@/lib/scenario/rng';
import scenario, { APPS, HELPER_NAMES, LOG_FILES, makeParams, parseDf, recordsUrl } from '@/scenarios/disk-full-deleted-file/scenario';

describe('disk-full-deleted-file params', () => {
  it('are deterministic per seed and consistent: one holder, named the way ps shows it', () => {
    for (let i = 0; i < 300; i++) {
      const p = makeParams(createRng(`seed-${i}`));
      assert.deepEqual(p, makeParams(createRng(`seed-${i}`)));
      assert.ok((APPS as readonly string[]).includes(p.app));
      assert.equal(p.apiName, `${p.app}-api`);
      assert.equal(p.dataDir, `/var/lib/${p.app}`);
      assert.ok(p.heldPath.startsWith(`${p.dataDir}/log/`));
      assert.ok((LOG_FILES as readonly string[]).includes(p.heldPath.split('/').pop() ?? ''));
      assert.ok([24, 32, 40].includes(p.volumeMb));
      assert.ok(p.historyMb >= 3 && p.historyMb <= p.volumeMb / 3, `history ${p.historyMb} of ${p.volumeMb}`);
      assert.ok(p.fd >= 5 && p.fd <= 48);
      assert.ok(p.port >= 8000 && p.port <= 8999);
      assert.equal(p.helpers.length, 3);
      assert.equal(new Set(p.helpers.map((h) => h.name)).size, 3);
      for (const h of p.helpers) assert.ok(/^[a-z][a-z-]{0,14}$/.test(h.name), h.name);
      const tracers = p.helpers.filter((h) => h.role === 'trace');
      if (p.holder === 'api') {
        assert.equal(p.holderName, p.apiName);
        assert.equal(tracers.length, 0);
      } else {
        assert.equal(tracers.length, 1);
        assert.equal(tracers[0]?.name, p.holderName);
        assert.ok((HELPER_NAMES as readonly string[]).includes(p.holderName));
      }
      assert.ok(p.apiName.length <= 15);
    }
  });

  it('vary the holder kind, the app, the file and the descriptor across seeds', () => {
    const kinds = new Set<string>();
    const apps = new Set<string>();
    const files = new Set<string>();
    const fds = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const p = makeParams(createRng(`seed-${i}`));
      kinds.add(p.holder);
      apps.add(p.app);
      files.add(p.heldPath.split('/').pop() ?? '');
      fds.add(p.fd);
    }
    assert.deepEqual([...kinds].sort(), ['api', 'helper']);
    assert.equal(apps.size, APPS.length);
    assert.equal(files.size, LOG_FILES.length);
    assert.ok(fds.size > 20);
  });

  it('the truth names the holding process, and the services mount the volume as a sized tmpfs', () => {
    for (let i = 0; i < 50; i++) {
      const p = makeParams(createRng(`seed-${i}`));
      const truth = scenario.diagnosis.truth(p);
      assert.equal(truth.category, 'deleted-open-file');
      assert.equal(truth.culprit, p.holderName);
      assert.equal(truth.culpritKind, 'process');
      assert.ok(truth.accept?.includes(`/usr/local/bin/${p.holderName}`));
      const services = scenario.services(p);
      assert.deepEqual(services.api?.tmpfs, { [p.dataDir]: `${p.volumeMb}m` });
      // The tmpfs counts against the memory limit: keep room for the processes.
      assert.ok(parseInt(services.api?.limits?.memory ?? '0', 10) >= p.volumeMb + 96);
      assert.ok(services.traffic?.command?.includes(recordsUrl(p)));
    }
    assert.ok(scenario.diagnosis.categories.length >= 4);
    assert.equal(scenario.hints?.length, 3);
  });
});

describe('disk-full-deleted-file parsers', () => {
  it('reads df -P -k', () => {
    const out = 'Filesystem     1024-blocks  Used Available Capacity Mounted on\ntmpfs                32768 32768         0     100% /var/lib/orders\n';
    assert.deepEqual(parseDf(out), { sizeKb: 32768, usedKb: 32768, availKb: 0 });
    assert.equal(parseDf(''), null);
    assert.equal(parseDf('df: /var/lib/x: No such file or directory'), null);
  });

});

describe('disk-full-deleted-file: how the key commands are classified', () => {
  it('finding the holder is read-only and can show a process', () => {
    const c = classifyShell('docker exec sickbay-x-api lsof -nP -a +L1 /var/lib/orders');
    assert.equal(c.tier, 'read-only');
    assert.ok(c.observes.includes('processes'));
  });

  it('emptying the deleted file through its descriptor is a targeted change', () => {
    for (const line of ['docker exec sickbay-x-api truncate -s 0 /proc/$PID/fd/$FD', "docker exec sickbay-x-api sh -c ': > /proc/1/fd/27'"]) {
      const c = classifyShell(line);
      assert.equal(c.tier, 'change', line);
      assert.equal(c.flags.targeted, true, line);
    }
  });

  it('emptying a journal file by name is destructive', () => {
    assert.equal(classifyShell('docker exec sickbay-x-api truncate -s 0 /var/lib/orders/journal/2026-11-26.jsonl').tier, 'destructive');
  });
});

describe('disk-full-deleted-file: the integrity baseline lives outside the container (issue 17, 9)', () => {
  it('the fault keeps the manifest as a lab note; the goal hands it back only for the check', async () => {
    const p = makeParams(createRng('integrity'));
    const manifest = JSON.stringify({ dataDir: p.dataDir, files: { '2025-06-01.jsonl': { size: 10, sha256: 'ab' } } });
    const notes = new Map<string, string>();
    const calls: { cmd: string[]; env?: Record<string, string> }[] = [];
    const ctx = {
      params: p,
      async exec(_service: string, cmd: string[], options?: { env?: Record<string, string> }) {
        calls.push({ cmd, env: options?.env });
        const script = cmd.join(' ');
        if (script.includes(' record ')) return { exitCode: 0, stdout: `${manifest}\n`, stderr: '' };
        return { exitCode: 0, stdout: JSON.stringify({ files: 1, intact: 1, missing: [], changed: [], bytes: 10 }), stderr: '' };
      },
      async note(key: string, value: string) {
        notes.set(key, value);
      },
      async recall(key: string) {
        return notes.get(key) ?? null;
      },
    };
    const goal = scenario.goals.find((g) => g.id === 'records-intact')!;
    // Without the lab's own record there is nothing to trust: the goal fails.
    assert.equal((await goal.check(ctx as never)).pass, false);
    await scenario.faults!.find((f) => f.id === 'record-baseline')!.inject(ctx as never);
    assert.deepEqual([...notes.values()], [manifest]);
    const record = calls[0]!.cmd.join(' ');
    assert.doesNotMatch(record, /\/var\/lib\/sickbay/, 'nothing is left in the container layer');
    assert.match(record, /rm -f "\$m"/);
    const r = await goal.check(ctx as never);
    assert.equal(r.pass, true, r.evidence);
    assert.equal(calls.at(-1)?.env?.SICKBAY_BASELINE, manifest);
  });
});
