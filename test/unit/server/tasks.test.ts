/** Session task bookkeeping: a failed task is the caller's to handle, and nothing stays behind. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionTasks } from '@/server/engine/tasks';

describe('session tasks', () => {
  it('a failed task raises no unhandled rejection of its own, and its entry goes', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const tasks = new SessionTasks();
      const failing = Promise.reject(new Error('teardown failed: the engine went away'));
      tasks.track('aaaaaaaaaaaa', failing);
      await failing.catch(() => {}); // the caller (engine.finish) handles it
      await tasks.settled('aaaaaaaaaaaa');
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(unhandled, []);
      assert.deepEqual(tasks.size(), { running: 0, cancelled: 0 });
      tasks.cancel('aaaaaaaaaaaa');
      tasks.forget('aaaaaaaaaaaa');
      assert.deepEqual(tasks.size(), { running: 0, cancelled: 0 });
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
