/**
 * The tracks: every `tracks/<slug>.ts`, imported and validated at start-up against the loaded
 * catalogue and the scorer's rules. A broken file is reported with its path and field and left
 * out, like a broken scenario; the others load.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SickbayError, toSickbayError } from '@/lib/errors';
import { STANDARD_RULES } from '@/lib/scoring/rules';
import { validateTrack, type Track, type TrackStep } from '@/lib/tracks';

export interface TrackPlace {
  track: Track;
  /** 0-based position of the step in the track. */
  index: number;
  step: TrackStep;
}

export class Tracks {
  private constructor(
    private readonly tracks: Track[],
    readonly errors: SickbayError[],
  ) {}

  /** Loads `<dir>/*.ts`; `scenarios` are the catalogue's slugs (a track may name only those). */
  static async load(dir: string, scenarios: Iterable<string>): Promise<Tracks> {
    const refs = { scenarios: new Set(scenarios), rules: new Set(STANDARD_RULES.map((r) => r.id)) };
    const tracks: Track[] = [];
    const errors: SickbayError[] = [];
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort() : [];
    for (const name of files) {
      const file = path.join(dir, name);
      const shown = path.relative(process.cwd(), file) || file;
      try {
        const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
        tracks.push(validateTrack(shown, name.slice(0, -3), mod.default, refs));
      } catch (err) {
        const e = toSickbayError(err, 'invalid_track');
        errors.push(e.message.includes(shown) ? e : new SickbayError('invalid_track', `${shown}: ${e.message}`, { cause: err }));
      }
    }
    tracks.sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug));
    return new Tracks(tracks, errors);
  }

  /** In display order. */
  list(): Track[] {
    return this.tracks;
  }

  /** Every track step that uses the scenario, in track order. */
  placesOf(scenario: string): TrackPlace[] {
    return this.tracks.flatMap((track) => track.steps.flatMap((step, index) => (step.scenario === scenario ? [{ track, index, step }] : [])));
  }
}
