/**
 * A session as the store holds it: the record callers see, the SQLite row behind it, and the
 * one SELECT every session read starts from (so `hasReport` is never computed two ways).
 */
import type { SessionStatus } from '@/lib/lifecycle/status';
import type { ContainerState } from '@/lib/runtime/container';

export interface SessionRecord {
  id: string;
  scenario: string;
  seed: string;
  status: SessionStatus;
  statusDetail: string | null;
  /** The per-run truth drawn from the seed. Never shown to the learner before the report. */
  params: Record<string, unknown>;
  /** service name -> container id */
  containers: Record<string, string>;
  baseline: Record<string, ContainerState>;
  createdAt: number;
  readyAt: number | null;
  endedAt: number | null;
  expiresAt: number;
  updatedAt: number;
  /** The terminal's asciicast v2 recording, once the console has been opened. */
  recordingPath: string | null;
  consoleId: string | null;
  terminalToken: string | null;
  /** Opens a read-only mirror of the terminal (watchers only). */
  mirrorToken: string | null;
  /** Provisioned ahead of demand and not yet claimed: invisible to learners and the API. */
  pooled: boolean;
  /** Whether a report is stored (read without parsing it). */
  hasReport: boolean;
  /** The user the session belongs to ('local': the implicit admin of personal mode). */
  ownerId: string;
  /** Coach mode: the proxy holds evidence-losing calls once (lib/proxy/coach.ts). */
  coach: boolean;
  /** Provisioned to wait at `held` until released (a team drill's simultaneous start). */
  hold: boolean;
}

export interface SessionRow {
  id: string;
  scenario: string;
  seed: string;
  status: SessionStatus;
  status_detail: string | null;
  params: string;
  containers: string;
  baseline: string;
  created_at: number;
  ready_at: number | null;
  ended_at: number | null;
  expires_at: number;
  updated_at: number;
  recording_path: string | null;
  console_id: string | null;
  terminal_token: string | null;
  mirror_token: string | null;
  pooled: number;
  has_report: number;
  owner_id: string;
  coach: number;
  hold: number;
}

/** Every session read selects this: the row plus whether a report exists. */
export const SELECT_SESSION = 'SELECT sessions.*, EXISTS (SELECT 1 FROM reports WHERE reports.session_id = sessions.id) AS has_report FROM sessions';

export function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    scenario: row.scenario,
    seed: row.seed,
    status: row.status,
    statusDetail: row.status_detail,
    params: JSON.parse(row.params) as Record<string, unknown>,
    containers: JSON.parse(row.containers) as Record<string, string>,
    baseline: JSON.parse(row.baseline) as Record<string, ContainerState>,
    createdAt: row.created_at,
    readyAt: row.ready_at,
    endedAt: row.ended_at,
    expiresAt: row.expires_at,
    updatedAt: row.updated_at,
    recordingPath: row.recording_path ?? null,
    consoleId: row.console_id ?? null,
    terminalToken: row.terminal_token ?? null,
    mirrorToken: row.mirror_token ?? null,
    pooled: row.pooled === 1,
    hasReport: row.has_report === 1,
    ownerId: row.owner_id,
    coach: row.coach === 1,
    hold: row.hold === 1,
  };
}
