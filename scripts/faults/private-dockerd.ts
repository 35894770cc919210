/**
 * A second, private Docker engine for the engine-restart fault, so that fault never touches
 * the engine other work on this machine shares. Its own data root, exec root (so its own
 * containerd), pidfile and socket, and above all its own network namespace (`ip netns exec
 * sickbay-faults`): whatever it does to links, bridges and iptables happens there, never to
 * the host's. (Run in the host's namespace, a second dockerd deletes the host's `docker0` link
 * at start-up — the shared daemon's default bridge — whatever `--bridge` says: seen here.)
 * Also no iptables and no forwarding changes, and an address pool of its own. Its socket is a
 * file, so the server and the CLI reach it from the host as usual. Needs root, `ip`, dockerd.
 *
 * The data root is kept between runs (its images are loaded once, from the shared engine with
 * `docker save | docker load`); remove /var/lib/sickbay-faults-docker to reclaim the space.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import Docker from 'dockerode';

export const PRIVATE_DOCKERD = {
  dataRoot: '/var/lib/sickbay-faults-docker',
  execRoot: '/run/sickbay-faults-docker',
  pidfile: '/run/sickbay-faults-docker.pid',
  socket: '/run/sickbay-faults-docker.sock',
  log: '/tmp/sickbay-faults-dockerd.log',
  addressPool: 'base=10.213.0.0/16,size=24',
  /** Its network namespace: its docker0, bridges and iptables live there. */
  netns: 'sickbay-faults',
};

export function privateDockerdArgs(p = PRIVATE_DOCKERD): string[] {
  return [
    '--data-root', p.dataRoot,
    '--exec-root', p.execRoot,
    '--pidfile', p.pidfile,
    '-H', `unix://${p.socket}`,
    '--iptables=false',
    '--ip-masq=false',
    '--ip-forward=false',
    '--default-address-pool', p.addressPool,
    '--storage-driver', 'overlay2',
    '--log-level', 'warn',
  ];
}

/** Shell lines that mount the host's cgroup hierarchies again under a fresh /sys. */
export function cgroupMountScript(mounts = fs.readFileSync('/proc/self/mounts', 'utf8')): string {
  const lines: string[] = [];
  for (const line of mounts.split('\n')) {
    const [, where, type, options] = line.split(' ');
    if (!where?.startsWith('/sys/fs/cgroup')) continue;
    const opts = (options ?? '').split(',').filter((o) => o !== 'rw' && o !== 'relatime').join(',');
    if (type === 'tmpfs') lines.push(`mount -t tmpfs -o ${opts || 'mode=755'} tmpfs ${where}`);
    else if (type === 'cgroup') lines.push(`mkdir -p ${where}`, `mount -t cgroup -o ${opts || 'none'} cgroup ${where}`);
    else if (type === 'cgroup2') lines.push(`mkdir -p ${where}`, `mount -t cgroup2 cgroup2 ${where}`);
  }
  return lines.map((l) => `${l}\n`).join('');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class PrivateDockerd {
  private proc: ChildProcess | null = null;
  readonly docker = new Docker({ socketPath: PRIVATE_DOCKERD.socket });

  get dockerHost(): string {
    return `unix://${PRIVATE_DOCKERD.socket}`;
  }

  /** Why it cannot run here, or null. */
  static unavailable(): string | null {
    if (process.getuid?.() !== 0) return 'a private dockerd needs root';
    if (!fs.existsSync('/usr/sbin/dockerd') && !fs.existsSync('/usr/bin/dockerd')) return 'no dockerd binary';
    return null;
  }

  async start(timeoutMs = 90_000): Promise<void> {
    if (fs.existsSync(PRIVATE_DOCKERD.pidfile)) {
      // A run that was killed left it running: use it if it answers, else clear the pidfile.
      if (await this.answers()) return;
      fs.rmSync(PRIVATE_DOCKERD.pidfile, { force: true });
    }
    fs.mkdirSync(PRIVATE_DOCKERD.dataRoot, { recursive: true });
    this.ensureNetns();
    const log = fs.openSync(PRIVATE_DOCKERD.log, 'a');
    // `ip netns exec` gives it a mount namespace with a fresh /sys (for the namespace's own
    // devices) but without the cgroup mounts under it: mount the host's hierarchies again there
    // (the same hierarchies, so its containers' cgroups are where the host looks), then exec
    // dockerd in place: the child's pid is dockerd's.
    const script = `set -e\n${cgroupMountScript()}exec dockerd "$@"\n`;
    this.proc = spawn('ip', ['netns', 'exec', PRIVATE_DOCKERD.netns, 'sh', '-c', script, 'dockerd', ...privateDockerdArgs()], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const deadline = Date.now() + timeoutMs;
    while (!(await this.answers())) {
      if (this.proc.exitCode !== null) throw new Error(`the private dockerd exited (${this.proc.exitCode}); see ${PRIVATE_DOCKERD.log}`);
      if (Date.now() > deadline) throw new Error(`the private dockerd did not answer within ${timeoutMs / 1000} s; see ${PRIVATE_DOCKERD.log}`);
      await sleep(500);
    }
  }

  /** Its own network namespace, with loopback up. */
  private ensureNetns(): void {
    const { netns } = PRIVATE_DOCKERD;
    if (!fs.existsSync(`/run/netns/${netns}`)) execFileSync('ip', ['netns', 'add', netns], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'pipe' });
  }

  /** Stops it and removes its network namespace (its data root stays, with the loaded images). */
  async dispose(): Promise<void> {
    await this.stop();
    if (fs.existsSync(`/run/netns/${PRIVATE_DOCKERD.netns}`)) execFileSync('ip', ['netns', 'del', PRIVATE_DOCKERD.netns], { stdio: 'pipe' });
  }

  async answers(): Promise<boolean> {
    try {
      await this.docker.ping();
      return true;
    } catch {
      return false;
    }
  }

  /** SIGTERM (it stops its containers, as a restart of the engine does), SIGKILL after the timeout. */
  async stop(timeoutMs = 90_000): Promise<void> {
    const pid = this.pid();
    if (pid === null) return;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (this.alive(pid)) {
      if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
      await sleep(250);
    }
    this.proc = null;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private pid(): number | null {
    if (this.proc?.pid && this.proc.exitCode === null) return this.proc.pid;
    try {
      const pid = Number(fs.readFileSync(PRIVATE_DOCKERD.pidfile, 'utf8').trim());
      return Number.isInteger(pid) && this.alive(pid) ? pid : null;
    } catch {
      return null;
    }
  }

  private alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  }

  /** Copies images from the shared engine that the private one lacks (docker save | docker load). */
  async ensureImages(tags: string[], log: (l: string) => void): Promise<void> {
    const missing: string[] = [];
    for (const tag of tags) await this.docker.getImage(tag).inspect().catch(() => missing.push(tag));
    if (missing.length === 0) return;
    log(`loading ${missing.join(', ')} into the private engine`);
    const shared: NodeJS.ProcessEnv = { ...process.env };
    delete shared.DOCKER_HOST; // save from the shared engine
    await new Promise<void>((resolve, reject) => {
      const save: ChildProcess = spawn('docker', ['save', ...missing], { stdio: ['ignore', 'pipe', 'inherit'], env: shared });
      const load: ChildProcess = spawn('docker', ['load', '-q'], { stdio: ['pipe', 'ignore', 'inherit'], env: { ...process.env, DOCKER_HOST: this.dockerHost } });
      save.stdout?.pipe(load.stdin as NodeJS.WritableStream);
      load.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker load exited with ${code}`))));
      save.once('exit', (code) => {
        if (code !== 0) reject(new Error(`docker save exited with ${code}`));
      });
    });
  }
}
