/**
 * Validation of track files. Like scenarios (lib/scenario/schema.ts), every problem becomes one
 * line naming the file and the field, e.g.
 * `tracks/first-week.ts: steps.2.lessons.0: unknown protocol rule "snapshot" (known: ...)`.
 * A track may only name scenarios the catalogue loaded and rules the scorer has.
 */
import { z } from 'zod';
import { SickbayError } from '../errors';
import { SLUG_PATTERN, formatIssues } from '../scenario/schema';
import type { Track, TrackInput } from './types';

export interface TrackReferences {
  /** Slugs of the scenarios in the catalogue. */
  scenarios: ReadonlySet<string>;
  /** Ids of the protocol rules (lib/scoring/rules.ts STANDARD_RULES). */
  rules: ReadonlySet<string>;
}

function trackSchema(refs: TrackReferences) {
  const step = z
    .object({
      /** A scenario slug from the catalogue. */
      scenario: z
        .string()
        .regex(SLUG_PATTERN, 'a scenario slug is lowercase letters, digits and dashes')
        .refine((s) => refs.scenarios.has(s), { error: (iss) => `unknown scenario "${String(iss.input)}" (not in the catalogue)` }),
      /** Protocol rule ids, 1-4 of them. */
      lessons: z
        .array(
          z.string().refine((id) => refs.rules.has(id), { error: (iss) => `unknown protocol rule "${String(iss.input)}" (known: ${[...refs.rules].join(', ')})` }),
        )
        .min(1, 'name at least one protocol lesson (a rule id)')
        .max(4, 'at most 4 lessons per drill: a drill that teaches everything teaches nothing')
        .refine((l) => new Set(l).size === l.length, 'a lesson is listed twice'),
      focus: z.string().min(10, 'one sentence on what this drill adds (10 characters or more)').max(240),
    })
    .strict();
  return z
    .object({
      title: z.string().min(3).max(80),
      summary: z.string().min(10).max(400),
      order: z.number().int().min(0).max(1000).default(100),
      steps: z
        .array(step)
        .min(1, 'a track needs at least one step')
        .superRefine((steps, ctx) => {
          const seen = new Set<string>();
          steps.forEach((s, i) => {
            if (seen.has(s.scenario)) ctx.addIssue({ code: 'custom', path: [i, 'scenario'], message: `"${s.scenario}" is already step ${steps.findIndex((x) => x.scenario === s.scenario) + 1}` });
            seen.add(s.scenario);
          });
        }),
    })
    .strict();
}

/** Validates a track file's default export; throws a SickbayError naming the file and every bad field. */
export function validateTrack(file: string, slug: string, input: unknown, refs: TrackReferences): Track {
  if (!SLUG_PATTERN.test(slug)) throw new SickbayError('invalid_track', `${file}: the file name must be a slug (lowercase letters, digits, dashes)`);
  if (typeof input !== 'object' || input === null) throw new SickbayError('invalid_track', `${file}: must \`export default defineTrack({...})\``);
  const parsed = trackSchema(refs).safeParse(input);
  if (!parsed.success) throw new SickbayError('invalid_track', formatIssues(file, parsed.error.issues), { details: { file } });
  return { slug, file, ...parsed.data };
}

/** What an author calls in `tracks/<slug>.ts`; typing only, validated when the server loads it. */
export function defineTrack(input: TrackInput): TrackInput {
  return input;
}
