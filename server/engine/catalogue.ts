/**
 * The scenario catalogue: every `scenarios/<slug>/scenario.ts`, imported and validated at
 * start-up. A broken file is reported with its path and field and left out; the others load.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SickbayError, toSickbayError } from '@/lib/errors';
import { createRng } from '@/lib/scenario/rng';
import { SLUG_PATTERN, validateScenario } from '@/lib/scenario/schema';
import type { Difficulty, ScenarioDefinition } from '@/lib/scenario/types';

export interface CatalogueEntry {
  slug: string;
  dir: string;
  file: string;
  definition: ScenarioDefinition<unknown>;
}

export interface ScenarioSummary {
  slug: string;
  title: string;
  summary: string;
  difficulty: Difficulty;
  minutes: number;
  tags: string[];
  services: string[];
  goals: { id: string; title: string }[];
}

export class Catalogue {
  private constructor(
    readonly dir: string,
    private readonly entries: Map<string, CatalogueEntry>,
    readonly errors: SickbayError[],
  ) {}

  static async load(dir: string): Promise<Catalogue> {
    const entries = new Map<string, CatalogueEntry>();
    const errors: SickbayError[] = [];
    const names = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
    for (const slug of names) {
      const file = path.join(dir, slug, 'scenario.ts');
      if (!fs.existsSync(file)) continue;
      const shown = path.relative(process.cwd(), file) || file;
      if (!SLUG_PATTERN.test(slug)) {
        errors.push(new SickbayError('invalid_scenario', `${shown}: folder name must match ${SLUG_PATTERN}`));
        continue;
      }
      try {
        const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
        const definition = validateScenario(shown, mod.default);
        entries.set(slug, { slug, dir: path.join(dir, slug), file: shown, definition });
      } catch (err) {
        const e = toSickbayError(err, 'invalid_scenario');
        errors.push(e.message.includes(shown) ? e : new SickbayError('invalid_scenario', `${shown}: ${e.message}`, { cause: err }));
      }
    }
    return new Catalogue(dir, entries, errors);
  }

  get(slug: string): CatalogueEntry {
    const entry = SLUG_PATTERN.test(slug) ? this.entries.get(slug) : undefined;
    if (!entry) throw new SickbayError('not_found', `unknown scenario "${slug}"`);
    return entry;
  }

  has(slug: string): boolean {
    return this.entries.has(slug);
  }

  list(): ScenarioSummary[] {
    return [...this.entries.values()].map(({ slug, definition: d }) => ({
      slug,
      title: d.title,
      summary: d.summary,
      difficulty: d.difficulty,
      minutes: d.minutes,
      tags: d.tags,
      // The customers are the lab's own container, never one of the learner's (docs/security.md).
      services: Object.entries(d.services(d.params(createRng('catalogue'))))
        .filter(([, spec]) => !spec.customers)
        .map(([name]) => name),
      goals: d.goals.map((g) => ({ id: g.id, title: g.title })),
    }));
  }

  /** The scenario's briefing source, or null when it has none. */
  briefing(slug: string): string | null {
    return this.document(slug, 'briefing.mdx');
  }

  /** The scenario's debrief (shown with the report), or null when it has none. */
  debrief(slug: string): string | null {
    return this.document(slug, 'debrief.mdx');
  }

  private document(slug: string, name: string): string | null {
    const file = path.join(this.get(slug).dir, name);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  }
}
