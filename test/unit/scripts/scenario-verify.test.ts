// The solution-script convention of `npm run scenario:verify` (scripts/verify/solution.ts), and
// every shipped solution script parses under it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { learnerCaused, mitigatedAt } from '@/scripts/verify/format';
import type { StoredReport } from '@/scripts/verify/lab';
import { parseReportLines, parseSolution, placeholderName, placeholders, substitute } from '@/scripts/verify/solution';
import { outputLines, stripAnsi } from '@/scripts/verify/terminal-driver';

const ROOT = path.resolve(import.meta.dirname, '../../..');

test('command lines, with comments, blanks and the shebang skipped and directives attached', () => {
  const parsed = parseSolution(
    [
      '#!/usr/bin/env bash',
      '# a comment',
      '',
      'docker stats --no-stream',
      '#@ evidence timeout=300',
      '  docker exec $API ps aux   ',
      '#@ may-fail',
      'PID=$(docker exec $API pgrep -x job); echo $PID',
      'for i in 1 2; do Q=$(echo $i); done',
    ].join('\n'),
  );
  assert.deepEqual(parsed.errors, []);
  assert.deepEqual(
    parsed.lines.map((l) => [l.lineNo, l.text, l.evidence, l.mayFail, l.timeoutMs]),
    [
      [4, 'docker stats --no-stream', false, false, 180_000],
      [6, 'docker exec $API ps aux', true, false, 300_000],
      [8, 'PID=$(docker exec $API pgrep -x job); echo $PID', false, true, 180_000],
      [9, 'for i in 1 2; do Q=$(echo $i); done', false, false, 180_000],
    ],
  );
  assert.deepEqual(parsed.assigned, ['PID', 'Q']);
});

test('what cannot be typed one line at a time is refused with the line number', () => {
  const errors = parseSolution(['#@ evidnce', 'docker ps', 'docker logs \\', '  api', "psql <<'SQL'", 'a\tb', '#@ evidence'].join('\n')).errors;
  assert.equal(errors.length, 5, errors.join('\n'));
  assert.match(errors[0] as string, /^line 1: unknown directive "evidnce"/);
  assert.match(errors[1] as string, /^line 3: no line continuations/);
  assert.match(errors[2] as string, /^line 5: heredocs/);
  assert.match(errors[3] as string, /^line 6: a tab/);
  assert.match(errors[4] as string, /^line 7: .*applies to nothing/);
  assert.deepEqual(parseSolution('# only comments\n').errors, ['no command lines']);
  // A here-string is one line, and so is "<<" inside quotes.
  assert.deepEqual(parseSolution("psql <<< 'SELECT 1'\necho '<<EOF'\n").errors, []);
});

test('placeholders: one per service, replaced as whole names, never a name the script assigns', () => {
  assert.equal(placeholderName('api'), 'API');
  assert.equal(placeholderName('pg-main'), 'PG_MAIN');
  const services = [
    { name: 'db', container: 'sickbay-abc-db' },
    { name: 'app', container: 'sickbay-abc-app' },
    { name: 'url', container: 'sickbay-abc-url' },
  ];
  const values = placeholders(services, ['URL']);
  assert.deepEqual(values, { DB: 'sickbay-abc-db', APP: 'sickbay-abc-app' });
  assert.equal(
    substitute('docker exec $DB psql -d $DBNAME -c "SELECT 1" && docker logs ${APP} $URL \\$X', values),
    'docker exec sickbay-abc-db psql -d $DBNAME -c "SELECT 1" && docker logs sickbay-abc-app $URL \\$X',
  );
});

test('report lines: only lines that start with the keyword, the last of each kind, culprit last', () => {
  const out = parseReportLines([
    'echo "SICKBAY_DIAGNOSIS category=x culprit=$JOB"', // an echo of the command itself: ignored
    'SICKBAY_DIAGNOSIS category=app-bug culprit=old',
    '  SICKBAY_DIAGNOSIS category=runaway-process decision=fix-in-place culprit=ledger rollup  ',
    'SICKBAY_REASON because it leaks',
    'SICKBAY_UPDATE Customers saw errors.',
  ]);
  assert.deepEqual(out, {
    diagnosis: { category: 'runaway-process', culprit: 'ledger rollup', decision: 'fix-in-place' },
    reason: 'because it leaks',
    update: 'Customers saw errors.',
    errors: [],
  });
  assert.deepEqual(parseReportLines(['nothing here']), { diagnosis: null, reason: null, update: null, errors: [] });
  const bad = parseReportLines(['SICKBAY_DIAGNOSIS category=x decision=reboot colour=red culprit=']);
  assert.equal(bad.errors.length, 4, bad.errors.join('\n'));
  assert.match(bad.errors.join('\n'), /unknown field\(s\) colour/);
  assert.match(bad.errors.join('\n'), /no culprit=/);
  assert.match(bad.errors.join('\n'), /decision must be one of/);
  assert.match(bad.errors.join('\n'), /without a SICKBAY_REASON/);
});

test('terminal output as lines: escapes stripped, CR LF and progress redraws flattened', () => {
  assert.equal(stripAnsi('\x1b]697;sickbay-prompt\x07\x1b[1;32mok\x1b[0m'), 'ok');
  assert.deepEqual(outputLines('a\r\nb\r\r\n50%\r100%\r\n'), ['a', 'b', '100%', '']);
});

test('every shipped solution script follows the convention', () => {
  const dir = path.join(ROOT, 'scenarios');
  const scripts = fs
    .readdirSync(dir)
    .flatMap((slug) => ['reference.sh', 'reckless.sh', 'alternative.sh'].map((f) => path.join(dir, slug, 'solutions', f)))
    .filter((f) => fs.existsSync(f));
  assert.ok(scripts.length >= 4, `solution scripts found: ${scripts.join(', ')}`);
  for (const file of scripts) {
    const parsed = parseSolution(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(parsed.errors, [], file);
    // An expert path, the reference or another (the fairness corpus): it reports what it found.
    if (file.endsWith('reference.sh') || file.endsWith('alternative.sh')) {
      assert.ok(parsed.lines.some((l) => l.evidence), `${file} cites evidence`);
      assert.ok(parsed.lines.some((l) => l.text.includes('SICKBAY_DIAGNOSIS')), `${file} reports a diagnosis`);
      assert.ok(parsed.lines.some((l) => l.text.includes('SICKBAY_UPDATE')), `${file} sends an update`);
    }
  }
});

describe('scenario:verify: the incident clock of a run', () => {
  const impact = (timeToMitigateMs: number | null, outageMs: number, excessErrors: number) => {
    const errors = excessErrors ? [{ actionId: 7, actionAt: 30_000, actionText: 'docker exec db psql -c "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id)"', excess: excessErrors }] : [];
    return { impact: { timeToMitigateMs, degraded: [], outages: [], learner: { outages: [], outageMs, errors, excessErrors } } } as unknown as StoredReport;
  };
  test('prints when customers were served normally again and what the learner caused', () => {
    assert.equal(mitigatedAt(impact(38_500, 0, 0)), '0:38');
    assert.equal(mitigatedAt(impact(null, 0, 0)), 'never');
    assert.equal(mitigatedAt({ impact: null } as unknown as StoredReport), '-');
    assert.equal(mitigatedAt(null), '-');
    assert.equal(learnerCaused(impact(0, 0, 0)), 'none');
    assert.equal(learnerCaused(impact(0, 8_000, 0)), '0:08 outage');
    assert.equal(learnerCaused(impact(0, 0, 6)), '6 extra errors after docker exec db psql -c "CREATE INDEX CONCURRENTLY orders_...');
    assert.equal(learnerCaused({ impact: null } as unknown as StoredReport), '-');
  });
});
