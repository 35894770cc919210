/**
 * Validation of scenario definitions. Authors get defaults for what they leave out and,
 * when something is wrong, one message per problem naming the file and the field
 * (e.g. `scenarios/leaky-job/scenario.ts: services.api.limits.memory: ...`).
 */
import { z } from 'zod';
import { OBSERVATIONS } from '../audit/classification';
import { SickbayError } from '../errors';
import { parseBytes } from '../units';
import { slugOfFile, withOwnImage } from './image';
import { DEFAULT_INJECTS, INJECT_KINDS, INJECT_ROLES } from './injects';
import { createRng } from './rng';
import { HEALTH_INTERVAL_MS, type ScenarioCost, type ScenarioDefinition, type ScenarioInput, type ServiceInput, type ServiceSpec } from './types';

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;
const SIZE_PATTERN = /^\d+(?:\.\d+)?[kmg]$/i;

const fn = (what: string) =>
  z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: `${what} must be a function` });

const name = (what: string) =>
  z.string().regex(NAME_PATTERN, `${what} must be lowercase letters, digits and dashes, starting with a letter (max 31)`);

const healthcheckSchema = z
  .object({
    /** Docker's HEALTHCHECK test, e.g. ["CMD", "curl", "-fsS", "http://127.0.0.1:8080/healthz"]. */
    test: z.array(z.string()).min(2, 'healthcheck.test needs a form ("CMD" or "CMD-SHELL") and a command'),
    intervalMs: z.number().int().min(100).default(HEALTH_INTERVAL_MS),
    timeoutMs: z.number().int().min(100).default(3000),
    // 10 at the 15 s default: unhealthy after 2.5 min of failures, as slow as a loaded host needs.
    retries: z.number().int().min(1).default(10),
    startPeriodMs: z.number().int().min(0).default(0),
  })
  .strict();

const limitsSchema = z
  .object({
    /** Memory limit (memory-swap is set to the same: no swap). */
    memory: z.string().regex(SIZE_PATTERN, 'expected a size like "256m" or "1g"').default('256m'),
    /** CPU share in cores. */
    cpus: z.number().positive().max(2).default(0.5),
    /** Maximum number of processes. */
    pids: z.number().int().min(8).max(4096).default(256),
  })
  .strict();

export const serviceSchema = z
  .object({
    /** Filled with the scenario's own image (sickbay/scenario-<slug>:latest) when left out. */
    image: z.string().min(1, 'image is required (or build files/Dockerfile beside scenario.ts)'),
    command: z.array(z.string()).min(1).optional(),
    env: z.record(z.string(), z.string()).default({}),
    networks: z.array(name('network name')).default([]),
    healthcheck: healthcheckSchema.optional(),
    limits: limitsSchema.default({ memory: '256m', cpus: 0.5, pids: 256 }),
    capAdd: z.array(z.enum(['NET_ADMIN', 'NET_RAW', 'SYS_PTRACE', 'KILL'])).default([]),
    /** Small in-memory filesystems, mount point -> size ("16m"); they count against the memory limit. */
    tmpfs: z
      .record(z.string().regex(/^\/[a-z0-9_./-]{1,100}$/, 'a tmpfs mount point must be an absolute path'), z.string().regex(SIZE_PATTERN, 'expected a tmpfs size like "16m"'))
      .optional(),
    /**
     * The scenario's customers (trafficService sets it): a lab-owned container the learner's
     * proxy hides, which reports per-second buckets over the session's signal socket. It says
     * whom they call, so nothing has to read that back out of the command line.
     */
    customers: z.object({ url: z.string().regex(/^https?:\/\/[^/\s]+/, 'expected an http(s) URL'), rps: z.number().positive() }).strict().optional(),
  })
  .strict();

/**
 * What a running session of the scenario costs the host, declared by its author so admission
 * can count it. Checked against the services' limits: a scenario cannot use more than those.
 */
export const costSchema = z
  .object({
    /** Cores the services use together while the incident runs (typical, not their limits' sum). */
    cpus: z.number().positive().max(8),
    /** Memory the services hold together while the incident runs, e.g. "512m". */
    memory: z.string().regex(SIZE_PATTERN, 'expected a size like "256m" or "1g"'),
    /**
     * How heavy a start is, against a plain one (1): a few small containers ready in seconds.
     * A database that must open gigabytes, or faults that take long to show, weigh more.
     * It scales the readiness deadline.
     */
    startWeight: z.number().min(1, 'startWeight is at least 1 (a plain start)').max(5),
  })
  .strict();

const truthSchema = z
  .object({
    category: z.string().min(1),
    culprit: z.string().min(1),
    culpritKind: z.enum(['process', 'query', 'table', 'network', 'container', 'file', 'other']),
    accept: z.array(z.string().min(1)).optional(),
    candidates: z.array(z.string().min(1)).optional(),
  })
  .strict();

const servicesSchema = z
  .record(name('service name'), serviceSchema)
  .refine((s) => Object.keys(s).length > 0, 'a scenario needs at least one service');

const metaSchema = z
  .object({
    title: z.string().min(3).max(80),
    summary: z.string().min(10).max(400),
    difficulty: z.enum(['beginner', 'intermediate', 'advanced']),
    minutes: z.number().int().min(1).max(240),
    tags: z.array(z.string().regex(/^[a-z0-9-]+$/)).default([]),
    params: fn('params'),
    diagnosis: z
      .object({
        culpritLabel: z.string().min(3).max(80),
        categories: z
          .array(z.object({ id: name('category id'), label: z.string().min(3).max(120) }).strict())
          .min(3, 'offer at least 3 categories: the true one and plausible distractors'),
        truth: fn('truth'),
      })
      .strict(),
    hints: z.array(z.string().min(5).max(500)).default([]),
    cost: costSchema,
    protocol: z
      .object({
        affectedServices: z.array(name('service name')).default([]),
        snapshotExpected: z.boolean().default(false),
        snapshotEvidence: z.array(z.enum(OBSERVATIONS)).default([]),
        restartAllowed: z.boolean().default(false),
        secrets: z.array(z.string().min(1)).default([]),
        stressed: z.boolean().default(false),
        timelineScale: z.number().positive().max(10).default(1),
        causeHints: z.array(z.string().min(2)).default([]),
        safeSignals: z.record(name('service name'), z.array(z.string().regex(/^[A-Z0-9]+$/, 'a signal name without SIG, e.g. USR1'))).default({}),
        /** What reveals the culprit here (default: by culprit kind). */
        revealedBy: z.array(z.enum(OBSERVATIONS)).min(1).optional(),
        supportedBy: z.array(z.enum(OBSERVATIONS)).optional(),
      })
      .strict()
      .default({ affectedServices: [], snapshotExpected: false, snapshotEvidence: [], restartAllowed: false, secrets: [], stressed: false, timelineScale: 1, causeHints: [], safeSignals: {} }),
    /** What "served normally" means for this scenario's customers (docs/scoring.md, customer impact). */
    servedNormally: z
      .object({
        /** Share of a second's requests that must succeed, e.g. 0.99. */
        successRate: z.number().gt(0, 'successRate must be above 0').max(1, 'successRate is a share: at most 1'),
        /** Ceiling on a second's p95 latency of successful requests, in ms. */
        p95Ms: z.number().int().min(10).max(60_000),
      })
      .strict(),
    networks: z.record(name('network name'), z.object({ internal: z.boolean().default(true) }).strict()).default({}),
    services: fn('services'),
    faults: z
      .array(
        z
          .object({
            id: name('fault id'),
            title: z.string().min(1),
            inject: fn('inject'),
            waitFor: z
              .object({
                description: z.string().min(1),
                until: fn('until'),
                timeoutMs: z.number().int().positive().optional(),
              })
              .strict()
              .optional(),
          })
          .strict(),
      )
      .default([]),
    goals: z
      .array(
        z
          .object({
            id: name('goal id'),
            title: z.string().min(1),
            /** What customers would notice, shown while the session runs (the title, a mechanism, only in the report). */
            outcome: z.string().min(3).max(120).optional(),
            guard: z.boolean().optional(),
            /**
             * A restart alone makes it pass (lib/scoring/restart-credit.ts): true (any affected
             * service's), a list of affected services, or a function of the params returning either.
             */
            restartMeets: z
              .union([z.boolean(), z.array(z.string().min(1)), fn('restartMeets')], { message: 'restartMeets must be true, false, a list of service names or a function of the params returning one' })
              .optional(),
            check: fn('check'),
          })
          .strict(),
      )
      .min(1, 'a scenario needs at least one goal'),
    /** Scheduled prompts; left out, the field notes' emergency timeline (lib/scenario/injects.ts). */
    injects: z
      .array(
        z
          .object({
            id: name('inject id'),
            /** Seconds after ready, scaled by protocol.timelineScale. */
            atSeconds: z.number().int('atSeconds must be whole seconds').min(0).max(4 * 3600, 'atSeconds is at most 4 hours'),
            kind: z.enum(INJECT_KINDS),
            text: z.string().min(5).max(400),
            prompts: z.enum(INJECT_ROLES).default('everyone'),
          })
          .strict(),
      )
      .max(20, 'at most 20 injects')
      .default(() => DEFAULT_INJECTS.map((i) => ({ ...i }))),
  })
  .strict();

/** Renders zod issues as `file: path.to.field: message` lines. */
export function formatIssues(file: string, issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): string {
  return issues
    .map((issue) => {
      const path = [...prefix, ...issue.path.map((p) => String(p))].join('.');
      return `${file}: ${path || '(definition)'}: ${issue.message}`;
    })
    .join('\n');
}

function invalid(file: string, message: string): SickbayError {
  return new SickbayError('invalid_scenario', message.startsWith(file) ? message : `${file}: ${message}`, {
    details: { file },
  });
}

/**
 * Validates what an author wrote and returns the normalised definition. Also resolves the
 * services once with a fixed seed, so a broken services() or params() fails at load time and
 * not when a learner starts a session.
 */
export function validateScenario<P>(file: string, input: unknown): ScenarioDefinition<P> {
  if (typeof input !== 'object' || input === null) {
    throw invalid(file, 'must `export default defineScenario({...})`');
  }
  const parsed = metaSchema.safeParse(input);
  if (!parsed.success) throw invalid(file, formatIssues(file, parsed.error.issues));
  const def = parsed.data as unknown as ScenarioDefinition<P>;
  // A service that names no image runs the scenario's own (files/Dockerfile): one place
  // derives the tag from the folder, as the image builder does.
  const authored = def.services as unknown as (params: P) => Record<string, ServiceInput>;
  const slug = slugOfFile(file);
  def.services = (params) => withOwnImage(authored(params), slug) as Record<string, ServiceSpec>;
  for (const [kind, list] of [
    ['faults', def.faults],
    ['goals', def.goals],
    ['injects', def.injects],
  ] as const) {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (seen.has(item.id)) throw invalid(file, `${kind}.${i}.id: duplicate id "${item.id}"`);
      seen.add(item.id);
    });
  }
  const ids = new Set<string>();
  def.diagnosis.categories.forEach((c, i) => {
    if (ids.has(c.id)) throw invalid(file, `diagnosis.categories.${i}.id: duplicate id "${c.id}"`);
    ids.add(c.id);
  });
  const { services } = resolveServices(file, def, 'validation');
  checkCost(file, def.cost, services);
  def.protocol.affectedServices.forEach((svc, i) => {
    if (!(svc in services)) throw invalid(file, `protocol.affectedServices.${i}: unknown service "${svc}"`);
  });
  checkRestartMeets(file, def);
  const customers = Object.keys(services).filter((svc) => services[svc]?.customers);
  if (customers.length > 1) throw invalid(file, `services.${customers[1]}.customers: only one service may play the customers (${customers[0]} already does)`);
  for (const svc of customers) {
    if (def.protocol.affectedServices.includes(svc)) throw invalid(file, `protocol.affectedServices: "${svc}" plays the customers, which the learner never sees`);
  }
  return def;
}

/** Seeds a variant-dependent `restartMeets` is tried with at load time (params are cheap to draw). */
const RESTART_MEETS_SEEDS = Array.from({ length: 8 }, (_, i) => `validation-restart-${i}`);

/** Each goal's `restartMeets` names only affected services, in every variant tried. */
function checkRestartMeets<P>(file: string, def: ScenarioDefinition<P>): void {
  const affected = def.protocol.affectedServices;
  def.goals.forEach((goal, i) => {
    const field = `goals.${i}.restartMeets`;
    const declared = goal.restartMeets;
    if (declared === undefined || typeof declared === 'boolean') return;
    const lists: unknown[] = [];
    if (typeof declared !== 'function') lists.push(declared);
    else {
      for (const seed of RESTART_MEETS_SEEDS) {
        try {
          lists.push(declared(def.params(createRng(seed))));
        } catch (err) {
          throw invalid(file, `${field}: threw ${(err as Error).message}`);
        }
      }
    }
    for (const meets of lists) {
      if (typeof meets === 'boolean') continue;
      if (!Array.isArray(meets) || meets.some((svc) => typeof svc !== 'string')) {
        throw invalid(file, `${field}: must return true, false or a list of service names`);
      }
      const stray = meets.find((svc: string) => !affected.includes(svc));
      if (stray !== undefined) throw invalid(file, `${field}: "${stray}" is not one of protocol.affectedServices (${affected.join(', ')})`);
    }
  });
}

/** A declared cost above what the services' limits allow is a mistake (of the cost or the limits). */
function checkCost(file: string, cost: ScenarioCost, services: Record<string, ServiceSpec>): void {
  const specs = Object.values(services);
  const cpus = specs.reduce((sum, s) => sum + s.limits.cpus, 0);
  const memory = specs.reduce((sum, s) => sum + parseBytes(s.limits.memory), 0);
  if (cost.cpus > cpus + 1e-9) {
    throw invalid(file, `cost.cpus: ${cost.cpus} is more than the services' CPU limits add up to (${Math.round(cpus * 100) / 100})`);
  }
  if (parseBytes(cost.memory) > memory) {
    throw invalid(file, `cost.memory: ${cost.memory} is more than the services' memory limits add up to (${Math.round(memory / 1024 ** 2)}m)`);
  }
}

export interface ResolvedScenario<P> {
  params: P;
  services: Record<string, ServiceSpec>;
}

/** Draws the per-run parameters from the seed and builds the validated service specs. */
export function resolveServices<P>(file: string, def: ScenarioDefinition<P>, seed: string): ResolvedScenario<P> {
  let params: P;
  try {
    params = def.params(createRng(seed));
  } catch (err) {
    throw invalid(file, `params: threw ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = def.services(params);
  } catch (err) {
    throw invalid(file, `services: threw ${(err as Error).message}`);
  }
  let truth: unknown;
  try {
    truth = def.diagnosis.truth(params);
  } catch (err) {
    throw invalid(file, `diagnosis.truth: threw ${(err as Error).message}`);
  }
  const truthParsed = truthSchema.safeParse(truth);
  if (!truthParsed.success) throw invalid(file, formatIssues(file, truthParsed.error.issues, ['diagnosis', 'truth()']));
  if (!def.diagnosis.categories.some((c) => c.id === truthParsed.data.category)) {
    throw invalid(file, `diagnosis.truth(): category "${truthParsed.data.category}" is not one of diagnosis.categories`);
  }
  const parsed = servicesSchema.safeParse(raw);
  if (!parsed.success) throw invalid(file, formatIssues(file, parsed.error.issues, ['services']));
  const services = parsed.data as Record<string, ServiceSpec>;
  for (const [svc, spec] of Object.entries(services)) {
    spec.networks.forEach((net, i) => {
      if (!(net in def.networks)) {
        throw invalid(file, `services.${svc}.networks.${i}: unknown network "${net}" (declare it under networks)`);
      }
    });
  }
  return { params, services };
}

/**
 * What an author calls in `scenarios/<slug>/scenario.ts`. Typing only: validation happens
 * when the catalogue loads the file, so the message can name the file.
 */
export function defineScenario<P>(input: ScenarioInput<P>): ScenarioInput<P> {
  return input;
}
