import { defineConfig } from '@playwright/test';
import { PASSWORD } from './fixtures';

// The real server (debug or release binary, chosen by scripts/test) serves the
// release SPA from dist/ with a fresh SQLite database in a temp dir.
// --fake-clock: tests move its time through /api/test/clock instead of waiting;
// the binary must be built with `--features test-clock` to have it.
// --trusted-proxy: nginx and Caddy, started by forward-auth.spec.ts on
// loopback, ask the portal about their requests.
const port = Number(process.env.E2E_PORT ?? 8181);
const server = process.env.PORTCULLIS_SERVER_BIN ?? 'target/debug/portcullis-server';
// Set in the environment so that the worker processes, which inherit it and
// load this file again, agree on it (e2e/fixtures.ts keeps state there).
const dataDir = (process.env.E2E_DATA_DIR ??= `/tmp/portcullis-e2e-${process.pid}`);

export default defineConfig({
  testDir: '.',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    // localhost, not 127.0.0.1: WebAuthn refuses IP addresses.
    baseURL: `http://localhost:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `rm -rf ${dataDir} && ${server} --demo --fake-clock --trusted-proxy 127.0.0.1 --listen 127.0.0.1:${port} --data-dir ${dataDir} --spa-dir dist`,
    cwd: '..',
    url: `http://localhost:${port}/api/openapi.json`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    env: { PORTCULLIS_DEMO_PASSWORD: PASSWORD, RUST_LOG: 'warn' },
  },
});
