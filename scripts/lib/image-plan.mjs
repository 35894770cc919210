/**
 * What images.mjs builds and whether it must: the project's Dockerfiles and their FROM
 * dependencies in build order, the content hash of each build context, and the Debian mirror
 * the offline base comes from. Nothing here talks to Docker (images.mjs does), so it is
 * unit-tested without an engine (test/unit/scripts/). Node built-ins only (this runs before
 * `npm install`).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SetupError } from './progress.mjs';

export const BASE_TAG = 'sickbay/base:bookworm';
export const SUITE = 'bookworm';
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
/**
 * Bump when the way the base is made changes: images without this exact label are rebuilt.
 * Why a string in code: `docker import` cannot hash a recipe for us, so we name it.
 */
export const BASE_RECIPE = 'bookworm-minbase-2';
/** Bump when the build command or hashing changes, so every image is rebuilt once. */
export const BUILD_RECIPE = 'legacy-build-1';

// Not `sickbay.managed-by`: image labels are inherited by every container made from the image,
// and that label must mark only the containers the engine itself created for a session.
export const LABELS = {
  managedBy: 'sickbay.built-by',
  recipe: 'sickbay.recipe',
  baseSource: 'sickbay.base-source',
  contextHash: 'sickbay.context-hash',
  filesHash: 'sickbay.files-hash',
};

// ---------------------------------------------------------------------------------------
// Pure parts (unit-tested in test/unit/scripts/)
// ---------------------------------------------------------------------------------------

/**
 * Splits deb822 text (apt's *.sources format) into stanzas of lower-cased fields.
 * Why by hand: it is a dozen lines, and no parser may be installed before `npm install`.
 */
export function parseDeb822(text) {
  const stanzas = [];
  let current = {};
  let lastKey = null;
  const flush = () => {
    if (Object.keys(current).length) stanzas.push(current);
    current = {};
    lastKey = null;
  };
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*#/.test(line)) continue;
    if (line.trim() === '') flush();
    else if (/^[ \t]/.test(line) && lastKey) current[lastKey] += ` ${line.trim()}`;
    else {
      const m = /^([^:\s]+):\s*(.*)$/.exec(line);
      if (!m) continue;
      lastKey = m[1].toLowerCase();
      current[lastKey] = m[2].trim();
    }
  }
  flush();
  return stanzas;
}

/** Why only these schemes: debootstrap can fetch from them; cdrom: and the like it cannot. */
const MIRROR_SCHEME = /^(https?|file):\/\//;

/**
 * The mirror of the first enabled binary ("deb") stanza for `suite` with component main.
 * Why require main: third-party repos may also publish a "bookworm" suite (docker, nodesource
 * variants), but only Debian's own mirror carries "main" for it.
 * @returns {string | null}
 */
export function mirrorFromDeb822(text, suite = SUITE) {
  for (const s of parseDeb822(text)) {
    const words = (k) => (s[k] ?? '').split(/\s+/).filter(Boolean);
    if ((s.enabled ?? 'yes').toLowerCase() === 'no') continue;
    if (!words('types').includes('deb') || !words('suites').includes(suite)) continue;
    if (s.components !== undefined && !words('components').includes('main')) continue;
    const uri = words('uris').find((u) => MIRROR_SCHEME.test(u));
    if (uri) return uri.replace(/\/+$/, '');
  }
  return null;
}

/**
 * The same for the one-line format: `deb [options] URI suite component...`.
 * @returns {string | null}
 */
export function mirrorFromSourcesList(text, suite = SUITE) {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line.startsWith('deb ') && !line.startsWith('deb\t')) continue;
    const rest = line.slice(3).trim().replace(/^\[[^\]]*\]\s*/, ''); // drop [arch=… signed-by=…]
    const [uri, lineSuite, ...components] = rest.split(/\s+/);
    if (lineSuite === suite && components.includes('main') && MIRROR_SCHEME.test(uri ?? '')) {
      return uri.replace(/\/+$/, '');
    }
  }
  return null;
}

/** Normalises an image reference the way Docker does for a tagless name. */
export function normaliseRef(ref) {
  if (ref.includes('@')) return ref;
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  return last.includes(':') ? ref : `${ref}:latest`;
}

/**
 * The images a Dockerfile needs: FROM lines and `COPY --from=<image>`, minus earlier stage
 * names and `scratch`. ARGs declared before the first FROM are substituted with their
 * defaults, as the builder does. Why COPY --from: it is as much a dependency as FROM.
 * @returns {string[]} normalised references, in order of appearance, without duplicates
 */
export function parseDockerfileDeps(text) {
  const lines = joinContinuations(text);
  const args = {};
  const stages = new Set();
  const deps = [];
  const add = (ref) => {
    const n = normaliseRef(ref);
    if (!deps.includes(n)) deps.push(n);
  };
  let seenFrom = false;
  for (const line of lines) {
    const [instr, ...words] = line.split(/\s+/);
    const op = instr.toUpperCase();
    if (op === 'ARG' && !seenFrom) {
      for (const w of words) {
        const [k, ...v] = w.split('=');
        args[k] = v.length ? unquote(v.join('=')) : (args[k] ?? '');
      }
    } else if (op === 'FROM') {
      seenFrom = true;
      const plain = words.filter((w) => !w.startsWith('--'));
      const image = substituteArgs(plain[0] ?? '', args);
      if (plain[1]?.toUpperCase() === 'AS' && plain[2]) stages.add(plain[2].toLowerCase());
      if (image && image !== 'scratch' && !stages.has(image.toLowerCase())) add(image);
    } else if (op === 'COPY') {
      const from = words.find((w) => w.toLowerCase().startsWith('--from='));
      const ref = from?.slice('--from='.length);
      if (ref && !/^\d+$/.test(ref) && !stages.has(ref.toLowerCase())) add(substituteArgs(ref, args));
    }
  }
  return deps;
}

/** Why: instructions may span lines with a trailing backslash; comments sit between them. */
function joinContinuations(text) {
  const out = [];
  let acc = '';
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*#/.test(raw)) continue;
    const line = raw.trim();
    if (line.endsWith('\\')) {
      acc += `${line.slice(0, -1)} `;
      continue;
    }
    acc += line;
    if (acc.trim()) out.push(acc.trim());
    acc = '';
  }
  if (acc.trim()) out.push(acc.trim());
  return out;
}

function unquote(s) {
  return s.replace(/^(["'])(.*)\1$/, '$2');
}

function substituteArgs(s, args) {
  return s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args[a ?? b] ?? '');
}

/** True for the images this project builds itself. */
export function isSickbayRef(ref) {
  return ref.startsWith('sickbay/');
}

/**
 * Orders builds so every image comes after the sickbay/* images it uses (Kahn's algorithm;
 * ties keep input order, so output is stable). `available` are sickbay images provided some
 * other way (the base). Why strict: a FROM of a sickbay image nobody builds, or a cycle,
 * would otherwise surface as a confusing "pull access denied" from Docker.
 *
 * @param {{ tag: string, deps: string[], source?: string }[]} images
 * @param {Iterable<string>} [available]
 * @returns {typeof images}
 */
export function orderBuilds(images, available = []) {
  const byTag = new Map(images.map((img) => [img.tag, img]));
  const ready = new Set(available);
  for (const img of images) {
    for (const dep of img.deps.filter(isSickbayRef)) {
      if (!byTag.has(dep) && !ready.has(dep)) {
        throw new SetupError(`${img.tag} needs ${dep}, but no Dockerfile builds it`, {
          code: 'IMAGE_MISSING_PARENT',
          hint: `Fix the FROM line in ${img.source ?? img.tag}, or add containers/<name>/Dockerfile for ${dep}.`,
        });
      }
    }
  }
  const ordered = [];
  const pending = [...images];
  while (pending.length) {
    const i = pending.findIndex((img) => img.deps.filter(isSickbayRef).every((d) => ready.has(d)));
    if (i === -1) throw cycleError(pending);
    const [next] = pending.splice(i, 1);
    ordered.push(next);
    ready.add(next.tag);
  }
  return ordered;
}

/** Why name the loop: "a -> b -> a" tells the author exactly which FROM lines to look at. */
function cycleError(pending) {
  const byTag = new Map(pending.map((img) => [img.tag, img]));
  let tag = pending[0].tag;
  const seen = [];
  while (!seen.includes(tag)) {
    seen.push(tag);
    tag = byTag.get(tag).deps.find((d) => byTag.has(d));
  }
  const loop = [...seen.slice(seen.indexOf(tag)), tag];
  return new SetupError(`image dependency cycle: ${loop.join(' -> ')}`, {
    code: 'IMAGE_CYCLE',
    hint: 'Break the cycle in the FROM lines of these Dockerfiles.',
  });
}

/**
 * Why a reason and not a boolean: the progress line tells the user why a build runs.
 * @returns {string | null} null = up to date
 */
export function buildReason(labels, { contextHash, filesHash }, force = false) {
  if (force) return 'forced';
  if (!labels) return 'not built yet';
  if (!labels[LABELS.contextHash]) return 'not built by sickbay';
  if (labels[LABELS.contextHash] === contextHash) return null;
  if (labels[LABELS.filesHash] === filesHash) return 'a parent image changed';
  return 'context changed';
}

// ---------------------------------------------------------------------------------------
// Hashing a build context (reads files; tested with a temporary directory)
// ---------------------------------------------------------------------------------------

/**
 * All entries under dir as sorted POSIX relative paths. Why sorted and relative: the hash
 * must not depend on readdir order or where the checkout lives.
 */
function listEntries(dir, rel = '') {
  const out = [];
  for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    out.push(r);
    if (d.isDirectory()) out.push(...listEntries(dir, r));
  }
  return out.sort();
}

/**
 * sha256 over every entry of the build context: path, kind, executable bit and content
 * (a symlink's target, not what it points to — that is what `COPY` sends). Length-prefixed
 * fields keep "a" + "bc" and "ab" + "c" apart.
 * @returns {string} hex digest
 */
export function hashFiles(dir) {
  const h = crypto.createHash('sha256');
  const field = (buf) => {
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf));
    h.update(`${b.length}:`);
    h.update(b);
  };
  for (const rel of listEntries(dir)) {
    const full = path.join(dir, rel);
    const st = fs.lstatSync(full);
    field(rel);
    if (st.isSymbolicLink()) {
      field('link');
      field(fs.readlinkSync(full));
    } else if (st.isDirectory()) {
      field('dir');
    } else {
      field(st.mode & 0o111 ? 'exec' : 'file');
      field(fs.readFileSync(full));
    }
  }
  return h.digest('hex');
}

/**
 * The cache key of an image: its files plus the IDs of the sickbay images it builds on, plus
 * the build recipe. Why parent IDs: a rebuilt base must rebuild everything on top of it.
 *
 * @param {string} dir build context
 * @param {Record<string, string>} [parents] sickbay parent tag -> image ID
 * @returns {{ filesHash: string, contextHash: string }}
 */
export function hashContext(dir, parents = {}) {
  const filesHash = hashFiles(dir);
  const h = crypto.createHash('sha256').update(`${BUILD_RECIPE}\n${filesHash}\n`);
  for (const tag of Object.keys(parents).sort()) h.update(`${tag}=${parents[tag]}\n`);
  return { filesHash, contextHash: h.digest('hex') };
}

// ---------------------------------------------------------------------------------------
// Reading the machine (apt sources, project layout)
// ---------------------------------------------------------------------------------------

/**
 * The Debian mirror this machine's apt already uses for bookworm; the default mirror when
 * none is configured. Why reuse apt's: on a lab machine that is the one mirror known to be
 * reachable (and it may be a local proxy or snapshot).
 */
export function readDebianMirror({ aptDir = '/etc/apt', suite = SUITE } = {}) {
  const read = (f) => {
    try {
      return fs.readFileSync(f, 'utf8');
    } catch {
      return null;
    }
  };
  const listDir = (ext) => {
    try {
      return fs.readdirSync(path.join(aptDir, 'sources.list.d')).filter((f) => f.endsWith(ext)).sort();
    } catch {
      return [];
    }
  };
  const sources = ['debian.sources', ...listDir('.sources').filter((f) => f !== 'debian.sources')];
  for (const f of sources) {
    const text = read(path.join(aptDir, 'sources.list.d', f));
    const uri = text && mirrorFromDeb822(text, suite);
    if (uri) return uri;
  }
  const lists = [path.join(aptDir, 'sources.list'), ...listDir('.list').map((f) => path.join(aptDir, 'sources.list.d', f))];
  for (const f of lists) {
    const text = read(f);
    const uri = text && mirrorFromSourcesList(text, suite);
    if (uri) return uri;
  }
  return DEFAULT_MIRROR;
}

const CONTAINER_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const SCENARIO_SLUG = /^[a-z0-9-]+$/;

/**
 * Every Dockerfile-built image of the project, with its dependencies.
 * Why skip containers/base: the base is made by ensureBaseImage (pull or debootstrap); that
 * directory only documents it.
 * @returns {{ tag: string, dir: string, source: string, deps: string[] }[]}
 */
export function discoverImages(root) {
  const found = [];
  const subdirs = (d) => {
    try {
      return fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    } catch {
      return [];
    }
  };
  for (const name of subdirs(path.join(root, 'containers'))) {
    if (name === 'base') continue;
    const dir = path.join(root, 'containers', name);
    if (!fs.existsSync(path.join(dir, 'Dockerfile'))) continue;
    if (!CONTAINER_NAME.test(name)) throw badName(`containers/${name}`, 'lowercase letters, digits and . _ -');
    found.push(describe(root, dir, `sickbay/${name}:latest`));
  }
  for (const slug of subdirs(path.join(root, 'scenarios'))) {
    const dir = path.join(root, 'scenarios', slug, 'files');
    if (!fs.existsSync(path.join(dir, 'Dockerfile'))) continue;
    if (!SCENARIO_SLUG.test(slug)) throw badName(`scenarios/${slug}`, 'lowercase letters, digits and -');
    found.push(describe(root, dir, `sickbay/scenario-${slug}:latest`));
  }
  return found;
}

function describe(root, dir, tag) {
  const dockerfile = path.join(dir, 'Dockerfile');
  return { tag, dir, source: path.relative(root, dockerfile), deps: parseDockerfileDeps(fs.readFileSync(dockerfile, 'utf8')) };
}

function badName(where, allowed) {
  return new SetupError(`${where}: the directory name cannot be used in an image tag`, {
    code: 'BAD_IMAGE_NAME',
    hint: `Rename it to use only ${allowed}.`,
  });
}
