import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandRan, execExitCode } from '@/lib/proxy/exec-exit';

describe('exec exit status (issue 17: a check needs the command to have run)', () => {
  it('reads ExitCode from a finished exec inspect answer only', () => {
    assert.equal(execExitCode({ Running: false, ExitCode: 0 }), 0);
    assert.equal(execExitCode({ Running: false, ExitCode: 127 }), 127);
    assert.equal(execExitCode({ Running: true, ExitCode: 0 }), undefined);
    assert.equal(execExitCode({ Running: false }), undefined);
    assert.equal(execExitCode({ Running: false, ExitCode: '0' }), undefined);
    assert.equal(execExitCode(null), undefined);
  });

  it('126 and 127 mean the program never ran; other codes (a failed curl too) mean it did', () => {
    assert.equal(commandRan(0), true);
    assert.equal(commandRan(28), true);
    assert.equal(commandRan(127), false);
    assert.equal(commandRan(126), false);
    assert.equal(commandRan(undefined), false);
  });
});
