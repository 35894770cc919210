/**
 * Splits SQL text into statements and psql meta-commands, and normalises a statement for
 * matching. The splitter respects '...' strings (with '' and E'\'' escapes), "identifiers",
 * $tag$ dollar quotes$tag$, -- and nested /* *\/ comments, so a ";" inside any of them does
 * not end a statement. psql meta-commands (\d, \x, \watch, ...) run to the end of their line.
 */

export interface Split {
  statements: string[];
  incomplete: boolean;
  unterminated: boolean;
}

/** Splits SQL into statements and meta-commands, dropping comments. */
export function splitSql(sql: string): Split {
  const out: string[] = [];
  let cur = '';
  let incomplete = false;
  let i = 0;
  const n = sql.length;
  const push = () => {
    const t = cur.trim();
    if (t !== '') out.push(t);
    cur = '';
  };
  let lastWasTerminator = true;
  while (i < n) {
    const c = sql[i] as string;
    // A meta-command starts at the beginning of a statement and runs to the end of the line.
    if (c === '\\' && cur.trim() === '') {
      const nl = sql.indexOf('\n', i);
      const end = nl === -1 ? n : nl;
      let line = sql.slice(i, end);
      const sep = line.indexOf('\\\\');
      if (sep > 0) line = line.slice(0, sep);
      cur = line;
      push();
      i = end;
      lastWasTerminator = true;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? n : nl;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      if (depth > 0) incomplete = true;
      cur += ' ';
      continue;
    }
    if (c === "'") {
      const escapes = /[eE]$/.test(cur) && !/[A-Za-z0-9_][eE]$/.test(cur);
      let j = i + 1;
      while (j < n) {
        if (escapes && sql[j] === '\\') {
          j += 2;
          continue;
        }
        if (sql[j] === "'") {
          if (sql[j + 1] === "'") {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      if (j >= n) incomplete = true;
      cur += sql.slice(i, Math.min(j + 1, n));
      i = Math.min(j + 1, n);
      lastWasTerminator = false;
      continue;
    }
    if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      if (end === -1) incomplete = true;
      const stop = end === -1 ? n : end + 1;
      cur += sql.slice(i, stop);
      i = stop;
      lastWasTerminator = false;
      continue;
    }
    if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (m && !/[A-Za-z0-9_]$/.test(cur)) {
        const tag = m[0];
        const end = sql.indexOf(tag, i + tag.length);
        if (end === -1) incomplete = true;
        const stop = end === -1 ? n : end + tag.length;
        cur += sql.slice(i, stop);
        i = stop;
        lastWasTerminator = false;
        continue;
      }
    }
    if (c === ';') {
      push();
      i++;
      lastWasTerminator = true;
      continue;
    }
    cur += c;
    if (!/\s/.test(c)) lastWasTerminator = false;
    i++;
  }
  const trailing = cur.trim() !== '';
  push();
  return { statements: out, incomplete, unterminated: trailing || (!lastWasTerminator && out.length > 0) };
}

/** Upper-cased text with string and dollar-quoted literals blanked to '' and spaces collapsed. */
export function normalise(stmt: string): string {
  let out = '';
  let i = 0;
  while (i < stmt.length) {
    const c = stmt[i] as string;
    if (c === "'") {
      let j = i + 1;
      while (j < stmt.length) {
        if (stmt[j] === "'" && stmt[j + 1] === "'") {
          j += 2;
          continue;
        }
        if (stmt[j] === "'") break;
        j++;
      }
      out += "''";
      i = j + 1;
      continue;
    }
    const m = c === '$' ? /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(stmt.slice(i)) : null;
    if (m) {
      const end = stmt.indexOf(m[0], i + m[0].length);
      out += "''";
      i = end === -1 ? stmt.length : end + m[0].length;
      continue;
    }
    if (c === '"') {
      const end = stmt.indexOf('"', i + 1);
      const stop = end === -1 ? stmt.length : end + 1;
      out += stmt.slice(i + 1, stop - 1).toUpperCase();
      i = stop;
      continue;
    }
    out += c.toUpperCase();
    i++;
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** The text with every parenthesised part removed (what is left is the top level). */
export function topLevel(upper: string): string {
  let depth = 0;
  let out = '';
  for (const c of upper) {
    if (c === '(') {
      depth++;
      if (depth === 1) out += '( ';
      continue;
    }
    if (c === ')') {
      depth = Math.max(0, depth - 1);
      if (depth === 0) out += ' )';
      continue;
    }
    if (depth === 0) out += c;
  }
  return out.replace(/\s+/g, ' ');
}
