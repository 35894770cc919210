/**
 * Builds every image Sickbay runs, in dependency order, and skips what is already current.
 *
 *   1. sickbay/base:bookworm — pulled debian:bookworm-slim when a registry answers, else made
 *      offline with debootstrap from the machine's Debian mirror (see containers/base/README.md)
 *   2. containers/<name>/Dockerfile        -> sickbay/<name>:latest
 *   3. scenarios/<slug>/files/Dockerfile   -> sickbay/scenario-<slug>:latest
 *
 * Why a content hash instead of trusting Docker's layer cache: the legacy builder still
 * re-sends the context and re-runs every step's cache lookup, and with a changed parent it
 * rebuilds anyway. A label with the hash lets a warm start decide "up to date" with one
 * `docker image inspect` per image. Node built-ins only (this runs before `npm install`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { BASE_RECIPE, BASE_TAG, LABELS, SUITE, buildReason, discoverImages, hashContext, isSickbayRef, orderBuilds, readDebianMirror } from './image-plan.mjs';
import { SetupError, step } from './progress.mjs';
import { aptInstall, isRootOnDebian, run, runOk, which } from './run.mjs';

// The plan (tags, dependencies, hashes, the mirror) is image-plan.mjs; importers read it here too.
export * from './image-plan.mjs';

const MANAGED_BY = 'sickbay';

const PULL_TIMEOUT_MS = 25_000;
const BUILD_TIMEOUT_MS = 30 * 60_000;

// ---------------------------------------------------------------------------------------
// Talking to Docker (through the CLI, like a user would)
// ---------------------------------------------------------------------------------------

/**
 * The ID and labels of a local image, or null when it does not exist.
 * Why the CLI: it is already required for builds, and its answer is what a user would see.
 */
export async function inspectImage(tag, env) {
  const res = await run('docker', ['image', 'inspect', '--format', '{{json .Id}} {{json .Config.Labels}}', tag], { env, timeoutMs: 30_000 });
  if (res.code !== 0) return null;
  const line = res.stdout.trim();
  const space = line.indexOf(' ');
  return { id: JSON.parse(line.slice(0, space)), labels: JSON.parse(line.slice(space + 1)) ?? {} };
}

/** Why a safe name: tags contain / and :, which do not belong in file names. */
function logFileFor(dataDir, tag) {
  return path.join(dataDir, `build-${tag.replace(/[^a-zA-Z0-9.-]+/g, '-')}.log`);
}

/**
 * Makes sure sickbay/base:bookworm exists and was made by the current recipe.
 * @returns {Promise<{ tag: string, built: boolean, seconds: number, id: string }>}
 */
export async function ensureBaseImage({ dataDir, env, log = console.log, force = false }) {
  const started = Date.now();
  const current = await inspectImage(BASE_TAG, env);
  if (current && !force && current.labels[LABELS.recipe] === BASE_RECIPE) {
    log(`${BASE_TAG} up to date`);
    return { tag: BASE_TAG, built: false, seconds: 0, id: current.id, previousId: null };
  }
  const reason = force ? 'forced' : !current ? 'not built yet' : current.labels[LABELS.recipe] ? 'recipe changed' : 'not made by this script';
  const logFile = logFileFor(dataDir, BASE_TAG);
  fs.rmSync(logFile, { force: true });
  await step(`building ${BASE_TAG} (${reason})`, async () => {
    if (await pullBase({ env, logFile, log })) return;
    await debootstrapBase({ dataDir, env, logFile, log });
  }, { write: log });
  const made = await inspectImage(BASE_TAG, env);
  if (!made) throw new SetupError(`${BASE_TAG} was not created`, { code: 'BASE_MISSING', hint: `Read ${logFile}.` });
  return { tag: BASE_TAG, built: true, seconds: round1((Date.now() - started) / 1000), id: made.id, previousId: current?.id ?? null };
}

/**
 * The fast path on a machine with a registry: pull debian:bookworm-slim and re-tag it with our
 * labels. Why a one-line build instead of `docker tag`: a tag cannot carry the recipe label.
 */
async function pullBase({ env, logFile, log }) {
  const pulled = await run('docker', ['pull', 'debian:bookworm-slim'], { env, logFile, timeoutMs: PULL_TIMEOUT_MS });
  if (pulled.code !== 0) {
    log('  docker pull debian:bookworm-slim failed (no registry?): making the base offline with debootstrap');
    return false;
  }
  const dockerfile = [
    'FROM debian:bookworm-slim',
    'ENV LANG=C.UTF-8',
    'CMD ["bash"]',
    `LABEL ${LABELS.recipe}=${BASE_RECIPE} ${LABELS.baseSource}=registry ${LABELS.managedBy}=${MANAGED_BY}`,
  ].join('\n');
  await runOk('docker', ['build', '-t', BASE_TAG, '-'], {
    env: { ...env, DOCKER_BUILDKIT: '0' }, input: `${dockerfile}\n`, logFile, timeoutMs: 5 * 60_000,
    what: `labelling debian:bookworm-slim as ${BASE_TAG}`, code: 'BASE_BUILD_FAILED',
  });
  return true;
}

/**
 * The offline path: debootstrap a minimal bookworm from the machine's mirror and import it.
 * Why debootstrap: it needs only a Debian mirror (which answers here), not a registry.
 */
async function debootstrapBase({ dataDir, env, logFile, log }) {
  if (process.getuid?.() !== 0) {
    throw new SetupError('making the base image offline needs root (debootstrap), and no registry answered', {
      code: 'BASE_NEEDS_ROOT',
      hint: 'Make `docker pull debian:bookworm-slim` work (registry access), or run this once as root.',
    });
  }
  if (!which('debootstrap')) {
    if (!isRootOnDebian()) {
      throw new SetupError('debootstrap is not installed', { code: 'NO_DEBOOTSTRAP', hint: 'Install debootstrap (and debian-archive-keyring) and run again.' });
    }
    await step('installing debootstrap', () => aptInstall(['debootstrap'], { logFile: path.join(dataDir, 'apt.log') }), { write: log });
  }
  // SICKBAY_DEBIAN_MIRROR: a local mirror or caching proxy wins over what apt uses.
  const mirror = process.env.SICKBAY_DEBIAN_MIRROR || readDebianMirror();
  log(`  debootstrap ${SUITE} from ${mirror} (log: ${logFile})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-base-'));
  try {
    await runOk('debootstrap', ['--variant=minbase', SUITE, dir, mirror], {
      logFile, timeoutMs: 20 * 60_000, what: `debootstrap ${SUITE} from ${mirror}`, code: 'DEBOOTSTRAP_FAILED',
      hint: 'Check that the mirror answers (apt-get update works) and debian-archive-keyring is installed.',
    });
    if (!unmountUnder(dir)) throw new SetupError(`debootstrap left file systems mounted under ${dir}`, { code: 'DEBOOTSTRAP_MOUNTS', hint: `Unmount them (see /proc/self/mounts) and remove ${dir}.` });
    tidyRootfs(dir);
    await importRootfs(dir, { env, logFile, mirror });
  } finally {
    removeRootfs(dir, log);
  }
}

/**
 * Makes the rootfs behave like the official slim image, so both base paths build the same way:
 * no package caches in the image, no daemons started by package installs during `docker build`.
 */
function tidyRootfs(dir) {
  const clear = (rel, keep = () => false) => {
    const d = path.join(dir, rel);
    for (const f of fs.existsSync(d) ? fs.readdirSync(d) : []) if (!keep(f)) fs.rmSync(path.join(d, f), { recursive: true, force: true });
  };
  clear('var/cache/apt/archives', (f) => !f.endsWith('.deb'));
  clear('var/cache/apt', (f) => !f.endsWith('.bin'));
  clear('var/lib/apt/lists');
  // Package scripts must not start services inside a build container (exit 101 = "denied").
  fs.writeFileSync(path.join(dir, 'usr/sbin/policy-rc.d'), '#!/bin/sh\n# Sickbay base: never start services from package scripts.\nexit 101\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'etc/apt/apt.conf.d/docker-clean'), [
    '// Sickbay base: keep downloaded packages and caches out of image layers.',
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
    'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'etc/apt/apt.conf.d/docker-no-languages'), 'Acquire::Languages "none";\n');
}

/** Streams `tar -C dir -c .` into `docker import`. Why a stream: no 200 MB temporary tarball. */
async function importRootfs(dir, { env, logFile, mirror }) {
  const tar = spawn(which('tar') ?? 'tar', ['--numeric-owner', '-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const tarErr = [];
  tar.stderr.on('data', (c) => tarErr.push(c));
  const tarDone = new Promise((resolve) => {
    tar.on('close', (code) => resolve(code));
    tar.on('error', () => resolve(-1));
  });
  const changes = [
    'CMD ["bash"]',
    'ENV LANG=C.UTF-8',
    `LABEL ${LABELS.recipe}=${BASE_RECIPE} ${LABELS.baseSource}=debootstrap ${LABELS.managedBy}=${MANAGED_BY} sickbay.mirror="${mirror}"`,
  ].flatMap((c) => ['--change', c]);
  await runOk('docker', ['import', ...changes, '--message', `sickbay base (${BASE_RECIPE})`, '-', BASE_TAG], {
    env, input: tar.stdout, logFile, timeoutMs: 10 * 60_000, what: `docker import of ${BASE_TAG}`, code: 'BASE_IMPORT_FAILED',
  });
  const tarCode = await tarDone;
  if (tarCode !== 0) {
    throw new SetupError(`tar of the base rootfs failed (exit ${tarCode})`, { code: 'BASE_TAR_FAILED', details: Buffer.concat(tarErr).toString() });
  }
}

/**
 * Unmounts anything still mounted under dir (debootstrap mounts /proc and /sys in the target
 * and a killed run leaves them). Why it matters: removing the directory recursively would
 * otherwise walk into the host's /proc and /sys.
 * @returns {boolean} true when nothing is mounted under dir any more
 */
export function unmountUnder(dir) {
  const mounts = () => {
    try {
      return fs.readFileSync('/proc/self/mounts', 'utf8').split('\n')
        .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
        .filter((m) => m && (m === dir || m.startsWith(`${dir}/`)));
    } catch {
      return [];
    }
  };
  // Deepest first; sync because this runs in cleanup paths where order matters, not speed.
  for (const m of mounts().sort((a, b) => b.length - a.length)) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
  return mounts().length === 0;
}

/** Why guarded: never delete a rootfs that still has host file systems mounted inside. */
function removeRootfs(dir, log) {
  if (!unmountUnder(dir)) {
    log(`  ! left ${dir} in place: something is still mounted under it`);
    return;
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Builds one image with the legacy builder. Why DOCKER_BUILDKIT=0: Debian's 20.10 engine may
 * lack buildx, and the legacy builder's plain output reads well in a log file.
 */
async function buildImage(img, { contextHash, filesHash, env, dataDir, force }) {
  const logFile = logFileFor(dataDir, img.tag);
  fs.mkdirSync(dataDir, { recursive: true });
  fs.rmSync(logFile, { force: true });
  const args = [
    'build', '-t', img.tag,
    '--label', `${LABELS.contextHash}=${contextHash}`,
    '--label', `${LABELS.filesHash}=${filesHash}`,
    '--label', `${LABELS.managedBy}=${MANAGED_BY}`,
    '--force-rm',
    ...(force ? ['--no-cache'] : []),
    '-f', path.join(img.dir, 'Dockerfile'),
    img.dir,
  ];
  await runOk('docker', args, {
    env: { ...env, DOCKER_BUILDKIT: '0' }, logFile, timeoutMs: BUILD_TIMEOUT_MS,
    what: `building ${img.tag} from ${img.source}`, code: 'IMAGE_BUILD_FAILED',
    hint: `Fix ${img.source} (full log: ${logFile}) and run \`node scripts/images.mjs\` again.`,
  });
}

/**
 * Builds (or confirms) every image: base first, then Dockerfile images in dependency order.
 *
 * @param {object} options
 * @param {string} options.root project root
 * @param {(line: string) => void} [options.log] one line per image and per step
 * @param {boolean} [options.force] rebuild everything, without Docker's layer cache
 * @param {string} [options.dataDir] where build logs go (default: $SICKBAY_DATA_DIR or root/data)
 * @param {{ dockerHost?: string }} [options.engine] ensureEngine()'s answer: the docker CLI is
 *   pointed at that engine (DOCKER_HOST), so it cannot build into some other CLI context
 * @returns {Promise<{ tag: string, built: boolean, seconds: number }[]>}
 */
export async function ensureImages({ root, log = console.log, force = false, dataDir, engine } = {}) {
  if (!root) throw new Error('ensureImages needs the project root');
  if (!which('docker')) {
    throw new SetupError('the docker CLI is not installed', { code: 'NO_DOCKER_CLI', hint: 'Install it (Debian: apt-get install docker.io) and run again.' });
  }
  const data = dataDir ?? path.resolve(root, process.env.SICKBAY_DATA_DIR || 'data');
  fs.mkdirSync(data, { recursive: true });
  const env = engine?.dockerHost ? { DOCKER_HOST: engine.dockerHost } : {};
  const ordered = orderBuilds(discoverImages(root), [BASE_TAG]); // fail on bad FROMs before any work

  const base = await ensureBaseImage({ dataDir: data, env, log, force });
  const ids = new Map([[BASE_TAG, base.id]]);
  const results = [{ tag: base.tag, built: base.built, seconds: base.seconds }];
  const replaced = base.previousId && base.previousId !== base.id ? [base.previousId] : [];

  for (const img of ordered) {
    const started = Date.now();
    const parents = {};
    for (const dep of img.deps.filter(isSickbayRef)) parents[dep] = ids.get(dep);
    const hashes = hashContext(img.dir, parents);
    const before = await inspectImage(img.tag, env);
    const reason = buildReason(before?.labels, hashes, force);
    if (!reason) {
      log(`${img.tag} up to date`);
      ids.set(img.tag, before.id);
      results.push({ tag: img.tag, built: false, seconds: 0 });
      continue;
    }
    await step(`building ${img.tag} (${reason})`, () => buildImage(img, { ...hashes, env, dataDir: data, force }), { write: log });
    const after = await inspectImage(img.tag, env);
    ids.set(img.tag, after.id);
    if (before && before.id !== after.id) replaced.push(before.id);
    results.push({ tag: img.tag, built: true, seconds: round1((Date.now() - started) / 1000) });
  }
  await removeReplaced(replaced.reverse(), env, log);
  return results;
}

/**
 * Removes the images our rebuilds replaced (now untagged), children before parents.
 * Why not `docker image prune`: that could take images of other projects or of a build that is
 * running right now; removing exactly the IDs we replaced cannot. `docker rmi` refuses
 * images still used by a container or tagged elsewhere; that is fine, they stay.
 */
async function removeReplaced(idsToRemove, env, log) {
  let removed = 0;
  for (const id of idsToRemove) {
    const res = await run('docker', ['image', 'rm', id], { env, timeoutMs: 60_000 });
    if (res.code === 0) removed += 1;
  }
  if (removed) log(`  removed ${removed} replaced image(s)`);
}

function round1(n) {
  return Math.round(n * 10) / 10;
}
