/**
 * Team drills (#14), the pure part: what a drill may be set up with, its join code, the seed
 * each team gets, where a new participant goes, each team's readiness, whether Start may go,
 * and the drill clock. server/drills/ does the storing and the sessions.
 */
import { isValidSeed } from '../lifecycle/seed';
import type { SessionStatus } from '../lifecycle/status';

export const MIN_DRILL_MINUTES = 5;
export const MAX_DRILL_MINUTES = 240;
export const DEFAULT_DRILL_MINUTES = 30;
export const MAX_TEAMS = 20;
export const MAX_TEAM_NAME = 40;

/** Join codes: no 0/O, 1/I/L, so they can be read out loud and typed from a projector. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 6;
export const CODE_PATTERN = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

export type SeedMode = 'shared' | 'per-team';
/** `teams`: named teams, chosen or assigned on joining; `individuals`: everyone is their own team. */
export type DrillMode = 'teams' | 'individuals';

/** A join code from random bytes (one byte per character; the slight bias is harmless here). */
export function joinCode(bytes: Uint8Array): string {
  if (bytes.length < CODE_LENGTH) throw new Error(`joinCode needs ${CODE_LENGTH} random bytes`);
  return Array.from(bytes.subarray(0, CODE_LENGTH), (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

/** What a person types: case and spaces do not matter ("abc 123" is ABC123). */
export function normalizeCode(raw: string): string {
  return raw.replace(/[\s-]+/g, '').toUpperCase();
}

/**
 * The seed of the team at `index` (0-based). Shared: the drill's seed, so every team meets the
 * same culprit (a fair comparison). Per team: the drill's seed with the team's number.
 */
export function teamSeed(base: string, mode: SeedMode, index: number): string {
  const seed = mode === 'shared' ? base : `${base}-t${index + 1}`;
  if (!isValidSeed(seed)) throw new Error(`not a valid seed: ${seed}`);
  return seed;
}

/** Team names must be distinct (ignoring case and spaces around them) and not empty. */
export function teamNameProblem(names: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const raw of names) {
    const name = raw.trim();
    if (!name) return 'a team needs a name';
    if (name.length > MAX_TEAM_NAME) return `a team name has at most ${MAX_TEAM_NAME} characters`;
    const key = name.toLowerCase();
    if (seen.has(key)) return `two teams are called "${name}"`;
    seen.add(key);
  }
  return null;
}

/** Where a participant who did not pick a team goes: the team with fewest members, first listed on a tie. */
export function assignTeam<T extends { id: string; members: number }>(teams: readonly T[]): T | null {
  let best: T | null = null;
  for (const t of teams) if (!best || t.members < best.members) best = t;
  return best;
}

/**
 * Why one more participant may not join an individuals drill, or null: each is their own team
 * with their own session, and a drill has at most MAX_TEAMS teams in either mode.
 */
export function ownTeamRefusal(teams: number): string | null {
  return teams >= MAX_TEAMS ? `this drill is full: it has ${teams} participants, each with their own session, and a drill takes at most ${MAX_TEAMS}` : null;
}

export type DrillPhase = 'lobby' | 'running' | 'over';

export function drillPhase(drill: { startedAt: number | null; endedAt: number | null; timeLimitMin: number }, now: number): DrillPhase {
  if (drill.endedAt !== null) return 'over';
  if (drill.startedAt === null) return 'lobby';
  return now >= drill.startedAt + drill.timeLimitMin * 60_000 ? 'over' : 'running';
}

/**
 * A team's readiness as the facilitator reads it: `empty` (nobody joined, no session),
 * `preparing` (its session is queued or provisioning), `ready` (held, waiting for Start),
 * `live` (released), `failed`, `ended`.
 */
export type TeamReadiness = 'empty' | 'preparing' | 'ready' | 'live' | 'failed' | 'ended';

export function teamReadiness(status: SessionStatus | null): TeamReadiness {
  switch (status) {
    case null:
      return 'empty';
    case 'queued':
    case 'provisioning':
      return 'preparing';
    case 'held':
      return 'ready';
    case 'ready':
      return 'live';
    case 'failed':
      return 'failed';
    case 'ending':
    case 'ended':
      return 'ended';
  }
}

/**
 * Why Start cannot go yet, or null: the drill must be in its lobby, at least one team must
 * have someone in it, and every team with members must be ready (held). Teams nobody joined
 * are left out of the drill.
 */
export function startRefusal(phase: DrillPhase, teams: readonly { name: string; members: number; readiness: TeamReadiness }[]): string | null {
  if (phase !== 'lobby') return phase === 'running' ? 'the drill has already started' : 'the drill is over';
  const manned = teams.filter((t) => t.members > 0);
  if (manned.length === 0) return 'nobody has joined yet: share the join code first';
  const failed = manned.filter((t) => t.readiness === 'failed' || t.readiness === 'ended');
  if (failed.length) return `the session of ${names(failed)} failed to start: prepare the sessions again`;
  const missing = manned.filter((t) => t.readiness === 'empty');
  if (missing.length) return `${names(missing)} ${missing.length === 1 ? 'has' : 'have'} no session (the lab could not take it then): prepare the sessions again`;
  const waiting = manned.filter((t) => t.readiness !== 'ready');
  if (waiting.length) return `${names(waiting)} ${waiting.length === 1 ? 'is' : 'are'} not ready yet (still preparing): wait until every team shows ready`;
  return null;
}

function names(teams: readonly { name: string }[]): string {
  return teams.map((t) => `"${t.name}"`).join(', ');
}

/** The drill clock: ms since Start (0 before) and ms left (the whole limit before Start). */
export function drillClock(drill: { startedAt: number | null; endedAt: number | null; timeLimitMin: number }, now: number): { elapsedMs: number; remainingMs: number } {
  const limit = drill.timeLimitMin * 60_000;
  if (drill.startedAt === null) return { elapsedMs: 0, remainingMs: limit };
  const end = Math.min(drill.endedAt ?? now, now, drill.startedAt + limit);
  const elapsedMs = Math.max(0, end - drill.startedAt);
  return { elapsedMs, remainingMs: Math.max(0, limit - elapsedMs) };
}

/**
 * The seats of a drill team's session, by order of joining: the first member drives (and owns
 * the session), the second is the commander, the third the scribe, the rest watch. Anyone can
 * hand the driver seat over later (lib/auth/team.ts); empty seats are covered by the rules there.
 */
export function drillSeats(memberIds: readonly string[]): { userId: string; role: 'driver' | 'commander' | 'scribe' | 'watcher' }[] {
  const order = ['driver', 'commander', 'scribe'] as const;
  return memberIds.map((userId, i) => ({ userId, role: order[i] ?? 'watcher' }));
}
