/**
 * What the lab reads of a running container and of a command run in it. The Docker adapter
 * (server/runtime) produces these; scenarios' faults and goals and the engine consume them.
 */
export interface ExecOptions {
  user?: string;
  env?: Record<string, string>;
  workdir?: string;
  /** Give up (and report exit code 124) after this many ms. Default 30 s. */
  timeoutMs?: number;
  /** Start the command and return at once, without waiting for it (like `docker exec -d`). */
  detach?: boolean;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The facts about one service's container that goals compare before and after. */
export interface ContainerState {
  id: string;
  name: string;
  running: boolean;
  /** ISO time of the container's last start: a restart changes it. */
  startedAt: string;
  /** Host PID of the main process (0 when stopped): a restart changes it. */
  pid: number;
  restartCount: number;
  /**
   * ISO time the main process last ended (Docker's State.FinishedAt; "0001-01-01T00:00:00Z"
   * when it never has). Absent in baselines stored before it was recorded.
   */
  finishedAt?: string;
  oomKilled: boolean;
  exitCode: number;
  health: 'none' | 'starting' | 'healthy' | 'unhealthy';
}

export interface MemoryStats {
  /** Bytes in use the way `docker stats` counts them (usage minus inactive file cache). */
  usage: number;
  limit: number;
  /** usage / limit * 100. */
  percent: number;
}
