import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

// The real server on loopback, with its own data dir and instance name, driven by Debian's
// Chromium (Playwright cannot download a browser here).
const port = Number(process.env.E2E_PORT ?? 3217);
const dataDir = path.join(os.tmpdir(), `sickbay-e2e-${process.pid}`);

export default defineConfig({
  testDir: 'test/e2e',
  timeout: 180_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        // Names for the cross-origin tests' "other sites" (test/e2e/cross-origin.spec.ts): all
        // loopback, resolved inside the browser, never looked up in DNS.
        '--host-resolver-rules=MAP *.sickbay.test 127.0.0.1',
      ],
    },
  },
  webServer: {
    command: `node --import tsx server.ts`,
    url: `http://127.0.0.1:${port}/api/scenarios`,
    timeout: 120_000,
    reuseExistingServer: false,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
    env: {
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      PORT: String(port),
      SICKBAY_HOST: '127.0.0.1',
      SICKBAY_DATA_DIR: dataDir,
      SICKBAY_INSTANCE: `e2e-${process.pid}`,
    },
    stdout: 'pipe',
  },
});
