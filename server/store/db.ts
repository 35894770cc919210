import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SickbayError } from '@/lib/errors';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the SQLite store in dataDir. WAL for concurrent readers while
 * the engine writes; synchronous=FULL so a committed event survives a power cut or kill -9.
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
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
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
