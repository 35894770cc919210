import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseShell, quoteArgv, shellWords } from '@/lib/audit/shell';

const argvs = (line: string) => parseShell(line).pipelines.map((p) => p.commands.map((c) => c.words.map((w) => w.value)));

describe('shell reader', () => {
  it('removes quotes and escapes without expanding anything', () => {
    assert.deepEqual(shellWords(`echo 'a b' "c \\"d\\"" e\\ f $HOME "$(date)"`), ['echo', 'a b', 'c "d"', 'e f', '$HOME', '$(date)']);
    assert.deepEqual(shellWords(`printf $'tab\\there'`), ['printf', 'tab\there']);
  });

  it('splits pipelines on |, &&, ||, ; and & and keeps the connectors', () => {
    const p = parseShell('a | b && c || d; e & f');
    assert.deepEqual(
      p.pipelines.map((x) => [x.commands.map((c) => c.words[0]?.value), x.connector, x.background]),
      [[['a', 'b'], null, false], [['c'], '&&', false], [['d'], '||', false], [['e'], ';', true], [['f'], ';', false]],
    );
  });

  it('does not split inside quotes', () => {
    assert.deepEqual(argvs(`psql -c 'select 1; select 2' | grep "a|b"`), [[['psql', '-c', 'select 1; select 2'], ['grep', 'a|b']]]);
  });

  it('reads redirections with file descriptors, dups and here-strings', () => {
    const [cmd] = parseShell('docker logs api > api.log 2>&1 < /dev/null').pipelines[0]!.commands;
    assert.deepEqual(cmd!.words.map((w) => w.value), ['docker', 'logs', 'api']);
    assert.deepEqual(cmd!.redirects.map((r) => [r.fd, r.op, r.target]), [[null, '>', 'api.log'], [2, '>&', '1'], [null, '<', '/dev/null']]);
    const hs = parseShell(`psql <<< 'select 1'`).pipelines[0]!.commands[0]!.redirects[0]!;
    assert.equal(hs.op, '<<<');
    assert.equal(hs.text, 'select 1');
    const both = parseShell('cmd &>> out.log').pipelines[0]!.commands[0]!.redirects[0]!;
    assert.deepEqual([both.op, both.target], ['&>>', 'out.log']);
  });

  it('reads heredoc bodies', () => {
    const p = parseShell("psql -U postgres <<'EOF'\nSELECT 1;\nDELETE FROM t;\nEOF\necho done");
    const r = p.pipelines[0]!.commands[0]!.redirects[0]!;
    assert.equal(r.op, '<<');
    assert.equal(r.text, 'SELECT 1;\nDELETE FROM t;');
    assert.deepEqual(argvs("psql <<'EOF'\nx\nEOF\necho done").at(-1), [['echo', 'done']]);
    assert.equal(p.incomplete, false);
    assert.equal(parseShell('psql <<EOF\nSELECT 1;').incomplete, true);
  });

  it('collects command substitutions, nested ones and backticks', () => {
    const w = parseShell('kill -9 $(pgrep -f "ledger rollup") `cat /run/x.pid`').pipelines[0]!.commands[0]!.words;
    assert.deepEqual(w[2]!.substitutions, ['pgrep -f "ledger rollup"']);
    assert.equal(w[2]!.dynamic, true);
    assert.deepEqual(w[3]!.substitutions, ['cat /run/x.pid']);
    const nested = parseShell('echo $(docker inspect $(docker ps -q))').pipelines[0]!.commands[0]!.words[1]!;
    assert.deepEqual(nested.substitutions, ['docker inspect $(docker ps -q)']);
    assert.deepEqual(parseShell('diff <(ls a) <(ls b)').pipelines[0]!.commands[0]!.words.slice(1).map((x) => x.substitutions[0]), ['ls a', 'ls b']);
    assert.equal(parseShell('echo $((1 + 2))').pipelines[0]!.commands[0]!.words[1]!.substitutions.length, 0);
  });

  it('separates assignments, comments, line continuations and reserved words', () => {
    const c = parseShell('PGPASSWORD=x FOO="a b" psql -h db # a comment').pipelines[0]!.commands[0]!;
    assert.deepEqual(c.assignments.map((a) => [a.name, a.value]), [['PGPASSWORD', 'x'], ['FOO', 'a b']]);
    assert.deepEqual(c.words.map((w) => w.value), ['psql', '-h', 'db']);
    assert.deepEqual(shellWords('docker logs \\\n  --tail 5 api'), ['docker', 'logs', '--tail', '5', 'api']);
    assert.deepEqual(argvs('if pgrep x; then pkill x; fi').map((p) => p[0]), [['pgrep', 'x'], ['pkill', 'x']]);
    assert.deepEqual(argvs('for p in 1 2; do kill $p; done').map((p) => p[0]), [['for', 'p', 'in', '1', '2'], ['kill', '$p']]);
  });

  it('marks unterminated input as incomplete instead of failing', () => {
    assert.equal(parseShell(`echo 'open`).incomplete, true);
    assert.equal(parseShell('echo "open').incomplete, true);
    assert.equal(parseShell('echo $(open').incomplete, true);
    assert.equal(parseShell('ps aux |').incomplete, true);
    assert.equal(parseShell('ps aux | head').incomplete, false);
    assert.deepEqual(parseShell('').pipelines, []);
  });

  it('quotes argv back for display', () => {
    assert.equal(quoteArgv(['psql', '-c', "select 'x'"]), `psql -c 'select '\\''x'\\'''`);
    assert.equal(quoteArgv(['ps', 'aux', '--sort=-%mem']), 'ps aux --sort=-%mem');
  });
});
