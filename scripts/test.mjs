#!/usr/bin/env node
/**
 * `npm test`: installs what the suite needs (dependencies, Docker engine, images, Chromium),
 * then runs type checking, the linter, unit, integration (real engine) and e2e (real browser)
 * tests, and ends with one summary line: "tests: N passed, N failed".
 * Flags: --only unit|integration|e2e|static (repeatable), --skip <same>. A suite that prints
 * nothing for SICKBAY_TEST_SILENCE_MIN minutes (default 20) is killed and counted as failed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAppBuilt } from './lib/app-build.mjs';
import { ensureChromium } from './lib/chromium.mjs';
import { ensureDependencies } from './lib/deps.mjs';
import { ensureEngine } from './lib/engine.mjs';
import { ensureImages } from './lib/images.mjs';
import { fail, info, step } from './lib/progress.mjs';
import { silenceLimitMs, watchSilence } from './lib/silence.mjs';
import { ensureTestTools } from './lib/test-tools.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(root, process.env.SICKBAY_DATA_DIR || 'data');
const argv = process.argv.slice(2);
const listArg = (flag) => argv.flatMap((a, i) => (a === flag && argv[i + 1] ? [argv[i + 1]] : []));
const only = listArg('--only');
const skip = listArg('--skip');
const wants = (suite) => (only.length === 0 || only.includes(suite)) && !skip.includes(suite);

const silenceMs = silenceLimitMs();
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

/** Test files under a folder, sorted (Node 20's runner expands no globs). */
function testFiles(dir, pattern) {
  const out = [];
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (pattern.test(e.name)) out.push(path.relative(root, full));
    }
  };
  walk(path.join(root, dir));
  return out.sort();
}

/**
 * Runs a command with its output shown live and kept; never throws on a non-zero exit. The child
 * leads its own process group so that a hung suite can be killed with every test file under it;
 * Ctrl-C here is passed on to that group.
 */
function stream(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const killGroup = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    let hung = false;
    const watch = watchSilence({
      silenceMs,
      onSilent: (quiet) => {
        hung = true;
        process.stderr.write(`\n✖ hung: no output for ${(quiet / 60_000).toFixed(1)} min; killing the suite (SICKBAY_TEST_SILENCE_MIN sets the limit)\n`);
        killGroup('SIGKILL');
        // A process that left the group may still hold the pipes open: stop waiting for them.
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
        }, 5_000);
      },
    });
    const interrupt = (signal) => {
      killGroup(signal);
      process.exit(130);
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    const chunks = [];
    const tee = (sink) => (chunk) => {
      watch.touch();
      chunks.push(chunk);
      sink.write(chunk);
    };
    child.stdout.on('data', tee(process.stdout));
    child.stderr.on('data', tee(process.stderr));
    child.on('error', reject);
    child.on('close', (code) => {
      watch.stop();
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
      resolve({ code, output: Buffer.concat(chunks).toString('utf8'), hung });
    });
  });
}

/** Reads node:test's closing counts ("ℹ pass 12" from the spec reporter). */
export function nodeTestCounts(text) {
  const count = (word) => Number(text.match(new RegExp(`^[ℹ#] ${word} (\\d+)$`, 'm'))?.[1] ?? 0);
  return { passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: count('skipped') + count('todo') };
}

async function nodeSuite(name, files, extra = []) {
  if (files.length === 0) {
    info(`${name}: no test files`);
    return;
  }
  // Not --test-force-exit: on Node 20 it dropped a file's later tests in the parallel unit run (994
  // of 1021). A test must clean up in `finally`; one that does not is caught by stream's watch.
  const res = await stream(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...extra, ...files]);
  const c = nodeTestCounts(res.output);
  if (res.code !== 0 && c.failed === 0) c.failed = 1; // crashed (or hung) before reporting
  record(name, c, res.hung);
}

/** Adds a suite's counts; a hung suite was killed, so its own summary (and a pass) never came. */
function record(name, c, hung = false) {
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.skipped;
  if (c.failed > 0) failures.push(`${name}: ${c.failed} failed${hung ? ' (hung: killed after its output stopped)' : ''}`);
  info(`${name}: ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`);
}

async function checkStatic() {
  const tsc = await stream(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.']);
  record('typecheck', { passed: tsc.code === 0 ? 1 : 0, failed: tsc.code === 0 ? 0 : 1, skipped: 0 });
  const lint = await stream(process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--max-warnings', '0', '.']);
  record('lint', { passed: lint.code === 0 ? 1 : 0, failed: lint.code === 0 ? 0 : 1, skipped: 0 });
}

async function e2e(chromium) {
  const report = path.join(dataDir, 'e2e-report.json');
  fs.rmSync(report, { force: true });
  const res = await stream(process.execPath, [path.join(root, 'node_modules/@playwright/test/cli.js'), 'test'], {
    CHROMIUM_PATH: chromium,
    PLAYWRIGHT_JSON_OUTPUT_NAME: report,
  });
  let c = { passed: 0, failed: 1, skipped: 0 };
  if (fs.existsSync(report)) {
    const s = JSON.parse(fs.readFileSync(report, 'utf8')).stats ?? {};
    c = { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed: s.unexpected ?? 0, skipped: s.skipped ?? 0 };
  }
  record('e2e', c, res.hung);
}

async function main() {
  fs.mkdirSync(dataDir, { recursive: true });
  await step('dependencies', () => ensureDependencies(root, { logFile: path.join(dataDir, 'npm-install.log') }));
  if (wants('static')) await step('type check and lint', checkStatic);
  if (wants('unit')) await step('unit tests', () => nodeSuite('unit', testFiles('test/unit', /\.test\.(ts|mjs)$/)));
  const needsEngine = wants('integration') || wants('e2e');
  if (needsEngine) {
    const engine = await step('Docker engine', () => ensureEngine({ dataDir }));
    await step('images', () => ensureImages({ root, dataDir, engine }));
    await step('app build', () => ensureAppBuilt(root, { dataDir }));
  }
  if (wants('integration')) {
    await step('test tools', () => ensureTestTools({ dataDir }));
    // One file at a time: they share one engine and some measure it.
    await step('integration tests', () => nodeSuite('integration', testFiles('test/integration', /\.test\.ts$/), ['--test-concurrency=1']));
  }
  if (wants('e2e')) {
    const chromium = await step('Chromium', () => ensureChromium({ dataDir }));
    await step('e2e tests', () => e2e(chromium));
  }
  if (failures.length) info(`failing: ${failures.join('; ')}`);
  // The one closing line CI reads.
  console.log(`tests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
  process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
}

main().catch(fail);
