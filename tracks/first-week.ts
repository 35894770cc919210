/**
 * The onboarding path: all eight scenarios, from the one beginner drill to the advanced one.
 * The order builds one habit on another: the basic loop first (look outside, read, change one
 * thing), then logs and a first deliberate experiment, then faults where the obvious tool
 * misleads (du, a health check, a code-looking traceback), then no shell at all, and last a
 * database under load where every habit counts at once.
 */
import { defineTrack } from '@/lib/tracks';

export default defineTrack({
  title: 'First week: safe debugging',
  summary:
    'Eight incidents, from a leaking background job to a jammed database. Each one adds a habit of the safe protocol: look from outside first, read before you touch, keep the evidence, change one small thing, and tell people what is going on.',
  order: 1,
  steps: [
    {
      scenario: 'leaky-job',
      lessons: ['observe-outside-first', 'read-only-before-interactive', 'no-state-loss', 'stakeholder-update'],
      focus: 'The basic loop: ask Docker from outside, read before you touch, and end one process instead of restarting the container.',
    },
    {
      scenario: 'log-flood',
      lessons: ['observe-outside-first', 'no-extra-load', 'snapshot-before-invasive'],
      focus: 'A log that buries its own cause: read it in bounded slices without adding load, and save it before you change anything.',
    },
    {
      scenario: 'oom-limit',
      lessons: ['targeted-reversible-changes', 'snapshot-before-invasive', 'no-state-loss'],
      focus: 'A change as an experiment: a temporary, reversible memory limit tells a limit that is too small from a leak.',
    },
    {
      scenario: 'disk-full-deleted-file',
      lessons: ['read-only-before-interactive', 'snapshot-before-invasive', 'targeted-reversible-changes'],
      focus: 'When the obvious tool disagrees (du): follow the processes that hold the space, and free it without losing a record.',
    },
    {
      scenario: 'network-partition',
      lessons: ['read-only-before-interactive', 'targeted-reversible-changes', 'decision-recorded'],
      focus: 'A network fault dressed as a code bug: test the path from the affected side, then remove only what cuts it.',
    },
    {
      scenario: 'healthy-but-hanging',
      lessons: ['snapshot-before-invasive', 'no-state-loss', 'timeline', 'customer-impact'],
      focus: 'Green health checks, hung requests: capture the threads before you unstick anything, on the emergency timeline.',
    },
    {
      scenario: 'no-shell-image',
      lessons: ['read-only-before-interactive', 'no-state-loss', 'snapshot-before-invasive'],
      focus: 'No shell to go into: bring your own tools in a sidecar that shares the service\u2019s namespaces.',
    },
    {
      scenario: 'pg-blocked-missing-index',
      lessons: ['no-extra-load', 'no-secrets-exposed', 'targeted-reversible-changes', 'stakeholder-update'],
      focus: 'A database under load: find the blocker without adding to it, keep credentials off the screen, build the index online, and keep people informed.',
    },
  ],
});
