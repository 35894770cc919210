import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Effect, type Tier, classifySql, looksLikeSql, splitSql } from '@/lib/audit/classify';

function tier(sql: string): Tier {
  return classifySql(sql).tier;
}

function sqlEffect(sql: string): Extract<Effect, { type: 'sql' }> | undefined {
  return classifySql(sql).effects.find((e): e is Extract<Effect, { type: 'sql' }> => e.type === 'sql');
}

describe('splitSql', () => {
  it('splits on ; but not inside strings, identifiers, dollar quotes or comments', () => {
    assert.deepEqual(splitSql("SELECT 'a;b'; SELECT 2").statements, ["SELECT 'a;b'", 'SELECT 2']);
    assert.deepEqual(splitSql('SELECT "we;ird" FROM t; SELECT 1;').statements, ['SELECT "we;ird" FROM t', 'SELECT 1']);
    assert.deepEqual(splitSql('DO $$ BEGIN PERFORM 1; END $$; SELECT 1').statements, ['DO $$ BEGIN PERFORM 1; END $$', 'SELECT 1']);
    assert.deepEqual(splitSql('SELECT $tag$ ; $tag$').statements, ['SELECT $tag$ ; $tag$']);
    assert.deepEqual(splitSql("SELECT 'it''s; ok'").statements, ["SELECT 'it''s; ok'"]);
    assert.deepEqual(splitSql("SELECT E'it\\'s; ok'; SELECT 2").statements, ["SELECT E'it\\'s; ok'", 'SELECT 2']);
    assert.deepEqual(splitSql('-- DROP TABLE x;\nSELECT 1').statements, ['SELECT 1']);
    assert.deepEqual(splitSql('/* DROP; /* nested; */ */ SELECT 1').statements, ['SELECT 1']);
  });

  it('reads psql meta-commands to the end of their line', () => {
    assert.deepEqual(splitSql('\\x\nSELECT 1;\n\\dt public.*').statements, ['\\x', 'SELECT 1', '\\dt public.*']);
  });

  it('reports unterminated statements and open literals', () => {
    assert.equal(splitSql('SELECT 1').unterminated, true);
    assert.equal(splitSql('SELECT 1;').unterminated, false);
    assert.equal(splitSql('SELECT 1; -- done').unterminated, false);
    assert.equal(splitSql("SELECT 'open").incomplete, true);
    assert.equal(splitSql('/* open').incomplete, true);
  });
});

describe('classifySql', () => {
  it('reads SELECT, SHOW and plain EXPLAIN as read-only', () => {
    for (const q of ["SELECT * FROM pg_stat_activity WHERE state != 'idle'", 'SHOW work_mem', 'EXPLAIN SELECT * FROM orders WHERE customer_id = 5', 'TABLE orders', 'VALUES (1)', "SELECT pg_size_pretty(pg_database_size('production'))", 'BEGIN', 'SET statement_timeout = 5000', '\\dt', '\\d+ orders', 'SHOW PROCESSLIST']) {
      assert.equal(tier(q), 'read-only', q);
    }
    assert.deepEqual(classifySql('SELECT * FROM pg_stat_activity').observes, ['db-activity']);
    assert.deepEqual(classifySql('SELECT * FROM pg_locks WHERE NOT granted').observes, ['db-locks']);
    assert.deepEqual(classifySql('EXPLAIN SELECT 1').observes, ['db-plan']);
    assert.ok(classifySql("SELECT indexname FROM pg_indexes WHERE tablename = 'orders'").observes.includes('db-schema'));
  });

  it('marks EXPLAIN ANALYZE heavy, and a change when it runs a write', () => {
    const sel = classifySql('EXPLAIN ANALYZE SELECT * FROM orders WHERE customer_id = 5');
    assert.equal(sel.tier, 'read-only');
    assert.equal(sel.flags.heavy, true);
    assert.equal(classifySql('EXPLAIN (ANALYZE, BUFFERS) SELECT 1').flags.heavy, true);
    assert.equal(classifySql('EXPLAIN (ANALYZE false) DELETE FROM orders').flags.heavy, false);
    assert.equal(tier('EXPLAIN (ANALYZE false) DELETE FROM orders'), 'read-only');
    assert.equal(tier('EXPLAIN DELETE FROM orders'), 'read-only');
    assert.equal(tier('EXPLAIN ANALYZE DELETE FROM orders WHERE id = 5'), 'change');
    assert.equal(tier('explain analyze update orders set x = 1 where id = 2'), 'change');
    assert.equal(tier('EXPLAIN ANALYZE INSERT INTO t VALUES (1)'), 'change');
    assert.equal(tier('EXPLAIN ANALYZE DELETE FROM orders'), 'destructive');
    assert.equal(sqlEffect('EXPLAIN ANALYZE SELECT 1')?.analyze, true);
  });

  it('finds the explained statement in the text as typed, string literals and all', () => {
    // The options are skipped in the typed text, not at an offset of the normalised one (where
    // a literal is shorter): that cut "UPDATE" in the middle and the write went unseen.
    const write = classifySql("EXPLAIN ANALYZE UPDATE orders SET note = 'checked by ops' WHERE id = 7");
    assert.equal(write.tier, 'change');
    assert.match(write.summary, /executes an UPDATE/);
    assert.equal(tier("explain (analyze, buffers)   delete from orders where note = 'a long literal here'"), 'change');
    assert.match(classifySql("EXPLAIN SELECT * FROM tickets WHERE subject = 'printer on fire'").summary, /plan of a SELECT/);
    assert.match(classifySql("EXPLAIN VERBOSE EXECUTE lookup('ab-123456')").summary, /plan of an? EXECUTE/);
  });

  it('tells CREATE INDEX CONCURRENTLY (online) from a locking build', () => {
    const online = classifySql('CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id)');
    assert.equal(online.tier, 'change');
    assert.equal(online.flags.targeted, true);
    assert.equal(online.flags.locking, false);
    assert.deepEqual(sqlEffect('CREATE INDEX CONCURRENTLY i ON orders (customer_id)'), { type: 'sql', statement: 'CREATE INDEX', concurrently: true, table: 'orders' });
    const locking = classifySql('create index idx on orders(customer_id)');
    assert.equal(locking.tier, 'change');
    assert.equal(locking.flags.locking, true);
    assert.equal(sqlEffect('CREATE INDEX i ON orders (customer_id)')?.concurrently, false);
    assert.equal(classifySql('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)').flags.locking, false);
    assert.equal(classifySql('REINDEX INDEX CONCURRENTLY i').flags.locking, false);
    assert.equal(classifySql('REINDEX TABLE orders').flags.locking, true);
  });

  it('calls DROP, TRUNCATE and DELETE/UPDATE without WHERE destructive', () => {
    for (const q of ['DROP TABLE orders', 'DROP INDEX CONCURRENTLY idx', 'drop database production', 'TRUNCATE orders', 'TRUNCATE TABLE orders CASCADE', 'DELETE FROM orders', 'UPDATE orders SET status = NULL', 'ALTER TABLE orders DROP COLUMN note', 'UPDATE t SET a = (SELECT b FROM u WHERE u.id = 1)']) {
      assert.equal(tier(q), 'destructive', q);
    }
    assert.equal(tier('DELETE FROM orders WHERE id = 1'), 'change');
    assert.equal(tier("UPDATE orders SET status = 'x' WHERE id = 1"), 'change');
    assert.equal(sqlEffect('DELETE FROM orders')?.where, false);
    assert.equal(sqlEffect('DELETE FROM orders WHERE id = 1')?.where, true);
    assert.equal(tier("DELETE FROM orders WHERE note = 'no where here'"), 'change');
  });

  it('reads VACUUM, ANALYZE and other maintenance', () => {
    const v = classifySql('VACUUM orders');
    assert.equal(v.tier, 'change');
    assert.equal(v.flags.heavy, false);
    const full = classifySql('VACUUM FULL orders');
    assert.equal(full.tier, 'change');
    assert.ok(full.flags.locking && full.flags.heavy);
    assert.ok(classifySql('VACUUM (FULL, ANALYZE) orders').flags.locking);
    assert.equal(classifySql('VACUUM (ANALYZE) orders').flags.locking, false);
    const a = classifySql('ANALYZE orders');
    assert.equal(a.tier, 'change');
    assert.equal(a.flags.heavy, false);
    assert.ok(classifySql('ALTER TABLE orders ADD COLUMN x int').flags.locking);
    assert.ok(classifySql('LOCK TABLE orders').flags.locking);
    assert.equal(tier('DO $$ BEGIN DELETE FROM t; END $$'), 'unknown');
  });

  it('judges pg_terminate_backend / pg_cancel_backend: literal PID vs a query over pg_stat_activity', () => {
    const one = classifySql('SELECT pg_terminate_backend(12345)');
    assert.equal(one.tier, 'change');
    assert.equal(one.flags.targeted, true);
    assert.deepEqual(one.effects[0], { type: 'kill', signal: 'TERM', pids: [12345], names: [], broad: false, pid1: false, via: 'pg_terminate_backend' });
    assert.equal(classifySql('SELECT pg_cancel_backend(12345)').effects[0]?.type, 'kill');
    for (const q of [
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity',
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle in transaction'",
      "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = 'shop' AND pid <> pg_backend_pid()",
    ]) {
      const c = classifySql(q);
      assert.equal(c.tier, 'change', q);
      assert.equal(c.flags.targeted, false, q);
    }
    assert.equal(classifySql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = 4242').flags.targeted, true);
    assert.equal(classifySql('SELECT pg_terminate_backend(b) FROM unnest(pg_blocking_pids(4242)) AS b').flags.targeted, true);
    // A variable stands for one backend, like `kill $PID` (the shell or psql fills it in).
    for (const q of ['SELECT pg_terminate_backend($PID)', 'SELECT pg_terminate_backend(${BLOCKER})', 'SELECT pg_terminate_backend(:pid)']) {
      const c = classifySql(q);
      assert.equal(c.flags.targeted, true, q);
      assert.equal(c.effects[0]?.type === 'kill' && c.effects[0].broad, false, q);
    }
    // So does a variable the WHERE pins the pid to: a guarded termination ends one backend only
    // if it is still the session that was observed. A variable elsewhere pins nothing.
    for (const q of [
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $ROOT AND state LIKE 'idle in transaction%' AND xact_start = '$XACT'",
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ${ROOT}',
      "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = :blocker",
    ]) {
      const c = classifySql(q);
      assert.equal(c.flags.targeted, true, q);
      assert.equal(c.effects[0]?.type === 'kill' && c.effects[0].broad, false, q);
    }
    assert.equal(classifySql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$DB'").flags.targeted, false);
    assert.equal(classifySql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> $SELF').flags.targeted, false);
  });

  it('uses the most severe of several statements and keeps each one', () => {
    const c = classifySql("SELECT 1; DELETE FROM orders WHERE id = 3; SELECT 'x;y'");
    assert.equal(c.tier, 'change');
    assert.equal(c.statements.length, 3);
    assert.deepEqual(c.statements.map((s) => s.statement), ['SELECT', 'DELETE', 'SELECT']);
    assert.equal(tier('BEGIN; DELETE FROM t WHERE id = 1; ROLLBACK;'), 'change');
    assert.equal(tier("SELECT $$;DROP TABLE x;$$"), 'read-only');
    assert.equal(tier('-- DROP TABLE x;\nSELECT 1'), 'read-only');
    assert.equal(tier('WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d'), 'change');
    assert.equal(tier('SELECT 1; \\watch 2'), 'read-only');
    assert.equal(classifySql('SELECT 1; \\watch 2').flags.streaming, true);
    assert.equal(classifySql('').statements.length, 0);
  });

  it('marks row locks and unknown statements', () => {
    assert.equal(classifySql('SELECT * FROM t FOR UPDATE').flags.locking, true);
    assert.equal(tier('FROBNICATE everything'), 'unknown');
    assert.equal(tier('\\i fix.sql'), 'unknown');
    assert.equal(tier('\\! ls'), 'unknown');
    assert.equal(classifySql('\\! rm -rf /data', { shell: () => ({ tier: 'destructive', summary: 'rm', effects: [], observes: [], flags: classifySql('').flags }) }).tier, 'destructive');
  });
});

describe('looksLikeSql', () => {
  it('tells SQL from shell commands that share a first word', () => {
    for (const l of ['SELECT 1;', 'select * from t', 'DELETE FROM t', '\\dt', 'TRUNCATE orders;', 'truncate orders', 'SET work_mem = 1', 'END;', 'reset all']) assert.equal(looksLikeSql(l), true, l);
    for (const l of ['ps aux', 'set -x', 'set', 'reset', 'truncate -s 0 f', 'ls', '', 'kill 1']) assert.equal(looksLikeSql(l), false, l);
  });
});
