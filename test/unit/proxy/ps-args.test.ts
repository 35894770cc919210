/** `docker top` options: an allowlist of ps tokens, no column renames (issue #11, item 1). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPsArgs } from '@/lib/proxy/ps-args';
import { checkRequest } from '@/lib/proxy/request';

const top = (args: string) => checkRequest('GET', `/v1.41/containers/web/top?ps_args=${encodeURIComponent(args)}`);

describe('docker top ps_args', () => {
  const allowed: [string, string][] = [
    ['', ''],
    ['aux', 'aux'],
    ['-ef', '-ef'],
    ['-eLf', '-eLf'],
    ['-e -f', '-e -f'],
    ['-eo pid,rss,args', '-eo pid,rss,args'],
    ['-o pid,comm', '-o pid,comm'],
    ['-opid,comm', '-o pid,comm'],
    ['axo pid,%cpu,%mem,comm', 'axo pid,%cpu,%mem,comm'],
    ['-o  pid,user   -o args', '-o pid,user -o args'],
    ['axjf', 'axjf'],
  ];
  for (const [input, forwarded] of allowed) {
    it(`accepts ${JSON.stringify(input)} and forwards ${JSON.stringify(forwarded)}`, () => {
      assert.equal(checkPsArgs(input), forwarded);
      if (input !== '') assert.equal(top(input).query.ps_args, forwarded);
    });
  }

  const refused: [string, RegExp][] = [
    // The attacker's renames: every way of writing one.
    ['-orss=PID', /renaming a ps column/],
    ['-o rss=PID', /renaming a ps column/],
    ['-o pid=PID', /renaming a ps column/],
    ['-o pid=HOSTPID', /renaming a ps column/],
    ['-otrs=PID,pid=HOSTPID,args -e', /renaming a ps column/],
    ['-eo rss=PID,args', /renaming a ps column/],
    ['axo vsz=PID', /renaming a ps column/],
    // Long options and other spellings of a format.
    ['--format pid', /"--format" is not allowed/],
    ['--format=rss=PID', /"--format=rss=PID" is not allowed/],
    ['-O rss', /"-O" is not allowed/],
    ['O rss', /"O" is not allowed/],
    ['-o rss:20', /field "rss:20" is not allowed/],
    ['-o cgroup', /field "cgroup" is not allowed/],
    ['-o', /needs a field list/],
    ['-o -e', /needs a field list/],
    ['-q 1', /"-q" is not allowed/],
    ['-p 1', /"-p" is not allowed/],
    ['axe', /"axe" is not allowed/],
    ['h', /"h" is not allowed/],
    [';id', /";id" is not allowed/],
    ['-e\t-f', /printable ASCII/],
    ['-e -f -e -f -e -f -e -f -e', /at most 8/],
  ];
  for (const [input, message] of refused) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.throws(() => checkPsArgs(input), (err: Error) => err.message.startsWith('sickbay: docker top: ') && message.test(err.message));
      assert.throws(() => top(input), /sickbay: docker top/);
    });
  }

  it('names what is allowed when it refuses', () => {
    assert.throws(() => checkPsArgs('-orss=PID'), /-eo pid,rss,args/);
  });
});
