import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SickbayError } from '@/lib/errors';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the SQLite store in dataDir. WAL for concurrent readers while
 * the engine writes. synchronous=NORMAL: in WAL mode a commit is in the log file before the
 * call returns, so a crash or kill -9 of the server loses nothing committed; only a power cut
 * or kernel crash can lose the last commits before the next checkpoint. FULL would fsync every
 * audit event, ~1 ms on the event loop for each proxied Docker call (docs/benchmarks.md).
 */
export function openDatabase(dataDir: string): Db {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'sickbay.db');
  let db: Db;
  try {
    db = new Database(file);
  } catch (err) {
    throw new SickbayError('internal', `cannot open the store at ${file}: ${(err as Error).message}`, { cause: err });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  cachePreparedStatements(db);
  migrate(db);
  return db;
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * better-sqlite3 compiles the SQL anew on every prepare(), and the store's call sites prepare
 * inline: in a CPU profile of the server under a soak of twenty sessions, compiling had more
 * samples than any other function (2.0 s of the 90 s profile, on the event loop). Compiled statements are kept by their text (the
 * least recently used dropped past 256, for the few built with variable IN lists). Safe as long
 * as no call site switches a statement's mode (pluck, raw, expand, safeIntegers), which would
 * stick to the shared statement: test/unit/server/statement-cache.test.ts checks that no
 * server code does, and every use runs to completion synchronously (no iterate()).
 */
export function cachePreparedStatements(db: Db, max = STATEMENT_CACHE_SIZE): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  const cached = (sql: string): Database.Statement => {
    let stmt = cache.get(sql);
    if (stmt) {
      cache.delete(sql); // re-inserted below: most recently used last
    } else {
      stmt = compile(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    }
    cache.set(sql, stmt);
    return stmt;
  };
  db.prepare = cached as Db['prepare'];
}

export function migrate(db: Db): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new SickbayError(
      'internal',
      `the store is at schema version ${current}, newer than this Sickbay (${MIGRATIONS.length}); upgrade Sickbay or use another data directory`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return MIGRATIONS.length;
}
