import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { cachePreparedStatements, openDatabase } from '@/server/store/db';
import Database from 'better-sqlite3';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourcesUnder(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('the store keeps compiled statements', () => {
  it('hands out the same statement for the same SQL, with right results, on the store as opened', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-stmt-'));
    dirs.push(dir);
    const db = openDatabase(dir);
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    assert.equal(db.prepare('INSERT INTO t (k, v) VALUES (?, ?)'), insert);
    insert.run('a', 1);
    db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('b', 2);
    assert.deepEqual(db.prepare('SELECT v FROM t WHERE k = ?').get('b'), { v: 2 });
    assert.deepEqual(db.prepare('SELECT v FROM t WHERE k = ?').get('a'), { v: 1 });
    // A transaction (its BEGIN/COMMIT compiled by the native handle, not by prepare()) runs cached statements.
    db.transaction(() => db.prepare('UPDATE t SET v = v + 10').run())();
    assert.deepEqual(db.prepare('SELECT SUM(v) AS s FROM t').get(), { s: 23 });
    db.close();
  });

  it('drops the least recently used statement past its bound', () => {
    const db = new Database(':memory:');
    cachePreparedStatements(db, 2);
    const one = db.prepare('SELECT 1');
    const two = db.prepare('SELECT 2');
    assert.equal(db.prepare('SELECT 1'), one); // 1 is now the most recent
    db.prepare('SELECT 3'); // drops 2
    assert.equal(db.prepare('SELECT 1'), one);
    assert.notEqual(db.prepare('SELECT 2'), two);
    db.close();
  });

  it('is only safe because no server code switches a statement mode that would stick to the shared statement', () => {
    const offenders = sourcesUnder(path.join(ROOT, 'server')).filter((f) => /\.(pluck|raw|expand|safeIntegers|iterate)\(/.test(fs.readFileSync(f, 'utf8')));
    assert.deepEqual(offenders.map((f) => path.relative(ROOT, f)), []);
  });
});
