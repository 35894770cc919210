/**
 * The onboarding path: all eight scenarios, from the one beginner drill to the advanced one.
 * The order builds one habit on another: the basic loop first (look outside, read, change one
 * thing), then logs and a first deliberate experiment, then faults where the obvious tool
 * misleads (du, a health check, a code-looking traceback), then no shell at all, and last a
 * database under load where every habit counts at once. Learners read these texts before they
 * start: like scenario titles, they never name a cause (test/unit/scenarios/forbidden-words.test.ts).
 */
import { defineTrack } from '@/lib/tracks';

export default defineTrack({
  title: 'First week: safe debugging',
  summary:
    'Eight incidents, from an API failing at peak to a database that stalls. Each one adds a habit of the safe protocol: look from outside first, read before you touch, keep the evidence, change one small thing, and tell people what is going on.',
  order: 1,
  steps: [
    {
      scenario: 'leaky-job',
      lessons: ['observe-outside-first', 'read-only-before-interactive', 'no-state-loss', 'stakeholder-update'],
      focus: 'The basic loop: ask Docker from outside, read before you touch, and stop only what is wrong instead of restarting the container.',
    },
    {
      scenario: 'log-flood',
      lessons: ['observe-outside-first', 'no-extra-load', 'snapshot-before-invasive'],
      focus: 'A log that buries its own cause: read it in bounded slices without adding load, and save it before you change anything.',
    },
    {
      scenario: 'oom-limit',
      lessons: ['targeted-reversible-changes', 'snapshot-before-invasive', 'no-state-loss'],
      focus: 'A change as an experiment: a temporary, reversible change tells apart two causes that look the same.',
    },
    {
      scenario: 'disk-full-deleted-file',
      lessons: ['read-only-before-interactive', 'snapshot-before-invasive', 'targeted-reversible-changes'],
      focus: 'When the obvious tool disagrees with the symptom: follow the processes, and fix it without losing a record.',
    },
    {
      scenario: 'network-partition',
      lessons: ['read-only-before-interactive', 'targeted-reversible-changes', 'decision-recorded'],
      focus: 'An outage dressed as a code bug: test the path from the affected side, then undo only what breaks it.',
    },
    {
      scenario: 'healthy-but-hanging',
      lessons: ['snapshot-before-invasive', 'no-state-loss', 'timeline', 'customer-impact'],
      focus: 'Green health checks, hung requests: capture the evidence before you unstick anything, on the emergency timeline.',
    },
    {
      scenario: 'no-shell-image',
      lessons: ['read-only-before-interactive', 'no-state-loss', 'snapshot-before-invasive'],
      focus: 'No shell to go into: bring your own tools in a sidecar that shares the service\u2019s namespaces.',
    },
    {
      scenario: 'pg-blocked-missing-index',
      lessons: ['no-extra-load', 'no-secrets-exposed', 'targeted-reversible-changes', 'stakeholder-update'],
      focus: 'A slow database under load: find what holds it up without adding to it, keep credentials off the screen, fix it online, and keep people informed.',
    },
  ],
});
