import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BRIDGE_PREFIX, bridgeName, IFNAME_MAX } from '@/lib/lifecycle/bridge';
import {
  firewallPolicy,
  firewallTable,
  formatOwner,
  installScript,
  parseOwner,
  parseTables,
  removeScript,
  staleTables,
  type FirewallOwner,
  type Liveness,
} from '@/lib/host/firewall';

const me: FirewallOwner = { boot: 'b26f2437d11f', pidNs: '4026531836', pid: 100, start: '5000' };

describe('bridge names', () => {
  it('fit a Linux interface name and carry the prefix', () => {
    for (const n of ['sickbay-0123456789ab-net', 'sickbay-0123456789ab-backend-with-a-long-name', 'x']) {
      const b = bridgeName(n);
      assert.ok(b.startsWith(BRIDGE_PREFIX), b);
      assert.ok(b.length <= IFNAME_MAX, b);
      assert.match(b, /^sickbay[0-9a-f]{8}$/);
    }
  });

  it('are stable per network and differ between networks', () => {
    assert.equal(bridgeName('sickbay-a-net'), bridgeName('sickbay-a-net'));
    assert.notEqual(bridgeName('sickbay-a-net'), bridgeName('sickbay-b-net'));
  });
});

describe('firewall policy', () => {
  it('is required beyond loopback and a warning on loopback in auto mode', () => {
    assert.equal(firewallPolicy('auto', '127.0.0.1'), 'warn');
    assert.equal(firewallPolicy('auto', 'localhost'), 'warn');
    assert.equal(firewallPolicy('auto', '::1'), 'warn');
    assert.equal(firewallPolicy('auto', '0.0.0.0'), 'required');
    assert.equal(firewallPolicy('auto', '192.168.1.10'), 'required');
    assert.equal(firewallPolicy('required', '127.0.0.1'), 'required');
    assert.equal(firewallPolicy('off', '0.0.0.0'), 'off');
  });
});

describe('firewall scripts', () => {
  it('name one table per instance', () => {
    assert.equal(firewallTable('it-1a2b'), 'sickbay_it_1a2b');
    assert.notEqual(firewallTable('a-b'), firewallTable('ab'));
    assert.throws(() => firewallTable('Bad Name'));
  });

  it('replace the table in one transaction and drop by the bridge prefix, v4 and v6', () => {
    const s = installScript('lab-1', me);
    const lines = s.trim().split('\n');
    assert.deepEqual(lines.slice(0, 3), ['table inet sickbay_lab_1', 'delete table inet sickbay_lab_1', 'table inet sickbay_lab_1 {']);
    assert.match(s, /type filter hook input priority 0; policy accept;/);
    assert.match(s, /iifname "sickbay\*" ct state established,related accept/);
    assert.match(s, /iifname "sickbay\*" drop comment "sickbay host firewall boot=b26f2437d11f pidns=4026531836 pid=100 start=5000"/);
    assert.ok(!/forward|output/.test(s), 'only the input hook');
  });

  it('remove tables whether or not they exist', () => {
    assert.equal(removeScript(['sickbay_a', 'sickbay_b']), 'table inet sickbay_a\ndelete table inet sickbay_a\ntable inet sickbay_b\ndelete table inet sickbay_b\n');
  });

  it('round-trip the owner mark and keep odd characters out of the comment', () => {
    assert.deepEqual(parseOwner(formatOwner(me)), me);
    assert.equal(formatOwner({ ...me, boot: 'ab"; drop' }).includes('"'), false);
  });
});

const LISTING = `table inet sickbay_lab_1 {
	chain input {
		type filter hook input priority filter; policy accept;
		iifname "sickbay*" ct state established,related accept comment "sickbay: replies to connections the host opened"
		iifname "sickbay*" drop comment "sickbay host firewall boot=b26f2437d11f pidns=4026531836 pid=100 start=5000"
	}
}
table inet sickbay_dead {
	chain input {
		type filter hook input priority filter; policy accept;
		iifname "sickbay*" drop comment "sickbay host firewall boot=b26f2437d11f pidns=4026531836 pid=200 start=6000"
	}
}
table inet sickbay_reused {
	chain input {
		iifname "sickbay*" drop comment "sickbay host firewall boot=b26f2437d11f pidns=4026531836 pid=300 start=7000"
	}
}
table inet sickbay_alive {
	chain input {
		iifname "sickbay*" drop comment "sickbay host firewall boot=b26f2437d11f pidns=4026531836 pid=400 start=8000"
	}
}
table inet sickbay_other_boot {
	chain input {
		iifname "sickbay*" drop comment "sickbay host firewall boot=000000000000 pidns=4026531836 pid=200 start=6000"
	}
}
table inet sickbay_in_a_container {
	chain input {
		iifname "sickbay*" drop comment "sickbay host firewall boot=b26f2437d11f pidns=4026532999 pid=200 start=6000"
	}
}
table inet sickbay_hidden {
	chain input {
		iifname "sickbay*" drop comment "sickbay host firewall boot=b26f2437d11f pidns=4026531836 pid=500 start=9000"
	}
}
table inet sickbay_no_mark {
	chain input {
		iifname "sickbay*" drop
	}
}`;

describe('stale tables', () => {
  const procs: Record<number, Liveness> = {
    200: { running: false },
    300: { running: true, start: '7777' },
    400: { running: true, start: '8000' },
    500: 'unknown',
  };
  const liveness = (pid: number): Liveness => procs[pid] ?? { running: false };

  it('parses tables, their drop rule and owner', () => {
    const tables = parseTables(LISTING);
    assert.equal(tables.length, 8);
    assert.deepEqual(tables[0], { table: 'sickbay_lab_1', owner: me, drops: true });
    assert.equal(tables[7]?.owner, null);
    assert.equal(tables[7]?.drops, true);
  });

  it('go only when their owner is provably gone from this boot and pid namespace', () => {
    const stale = staleTables(parseTables(LISTING), me, 'sickbay_lab_1', liveness);
    assert.deepEqual(stale, ['sickbay_dead', 'sickbay_reused']);
  });

  it('never include our own table, and nothing when we cannot tell who we are', () => {
    const dead = () => ({ running: false }) as const;
    assert.ok(!staleTables(parseTables(LISTING), me, 'sickbay_lab_1', dead).includes('sickbay_lab_1'));
    assert.deepEqual(staleTables(parseTables(LISTING), { ...me, boot: 'unknown' }, 'x', dead), []);
  });
});
