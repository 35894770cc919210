/**
 * The scenario programs' signal handlers run when a signal arrives, not one signal later.
 * Python runs a handler in the main thread only; a main thread blocked in an untimed
 * `Event.wait()` is not woken by a signal the kernel handed to another thread. Beside load 50
 * the healthy-but-hanging API lost 4 of 90 thread-dump requests that way (the fairness corpus
 * lost a reference's and an alternative's only dump: a goal an expert met stayed unmet).
 * svckit.wait_for waits in slices. Run by the real service image's Python.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sessionLabels } from '@/lib/lifecycle/labels';
import { startTestServices, type TestServices } from './helpers';

const IMAGE = 'sickbay/service:latest';

// One trial: another thread sends SIGUSR1 to itself (so the kernel hands it to that thread)
// once the main thread is about to wait, then waits up to 10 s for the handler before it sets
// the stop event. "before_stop": the handler ran while the main thread was still waiting.
const SCRIPT = `
import json, signal, threading, time
import svckit

def trial(wait):
    got = threading.Event()
    signal.signal(signal.SIGUSR1, lambda s, f: got.set())
    stop = threading.Event()
    waiting = threading.Event()
    seen = {}
    def other():
        waiting.wait()
        time.sleep(0.3)
        signal.pthread_kill(threading.get_ident(), signal.SIGUSR1)
        seen["before_stop"] = got.wait(10)
        stop.set()
    t = threading.Thread(target=other)
    t.start()
    waiting.set()
    wait(stop)
    t.join()
    return seen["before_stop"]

print(json.dumps({"sliced": trial(svckit.wait_for), "untimed": trial(lambda e: e.wait())}))
`;

let lab: TestServices;
let id: string;

before(async () => {
  lab = await startTestServices();
  const session = crypto.randomBytes(6).toString('hex');
  id = await lab.services.runtime.createContainer({
    name: `sickbay-${session}-svckit`,
    image: IMAGE,
    command: ['sleep', 'infinity'],
    env: {},
    labels: sessionLabels({ instance: lab.instance, sessionId: session, scenario: 'svckit-it', role: 'service', service: 'svckit', expiresAt: Date.now() + 3_600_000 }),
    networks: [],
    memoryBytes: 64 * 1024 * 1024,
    nanoCpus: 500_000_000,
    pidsLimit: 32,
    capAdd: [],
  });
  await lab.services.runtime.startContainer(id);
});

after(async () => {
  await lab?.close();
});

describe('svckit.wait_for', () => {
  it('runs a signal handler while the main thread waits, even when another thread took the signal', async () => {
    const r = await lab.services.runtime.exec(id, ['python3', '-c', SCRIPT], { timeoutMs: 60_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { sliced: boolean; untimed: boolean };
    assert.equal(out.sliced, true, 'with wait_for the handler ran before the stop event was set');
    // The reason wait_for exists: an untimed wait ran the handler only once the stop came.
    assert.equal(out.untimed, false, 'an untimed Event.wait() ran the handler before the stop: the premise of wait_for no longer holds');
  });
});
