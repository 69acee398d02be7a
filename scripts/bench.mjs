// Latency and throughput of the main API paths against a real server:
//   node scripts/bench.mjs                 starts target/server-release/portcullis-server
//                                          (or $PORTCULLIS_SERVER_BIN) on a fresh demo database
//   BENCH_URL=http://localhost:8080 node scripts/bench.mjs    uses a running demo server
// Prints figures; it is a measurement, not a test (nothing fails on speed).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PASSWORD = process.env.PORTCULLIS_DEMO_PASSWORD ?? 'portcullis-demo';
const CSRF = { 'x-portcullis-csrf': '1', 'content-type': 'application/json' };

async function startServer() {
  if (process.env.BENCH_URL) return { url: process.env.BENCH_URL, stop: () => {} };
  const bin = process.env.PORTCULLIS_SERVER_BIN ?? 'target/server-release/portcullis-server';
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  const port = 8190;
  // The per-account limit on successful logins (20 per 5 min) would stop
  // the login throughput run after a second; raise it for the measurement.
  const args = ['--demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dir, '--spa-dir', 'dist', '--logins-per-account', '1000000'];
  const child = spawn(bin, args, {
    env: { ...process.env, PORTCULLIS_DEMO_PASSWORD: PASSWORD, RUST_LOG: 'warn' },
    stdio: 'ignore',
  });
  const url = `http://localhost:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/api/openapi.json`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: () => { child.kill(); rmSync(dir, { recursive: true, force: true }); } };
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function login(url, email) {
  const r = await fetch(`${url}/api/v1/login`, { method: 'POST', headers: CSRF, body: JSON.stringify({ email, password: PASSWORD }) });
  if (!r.ok) throw new Error(`login ${email}: ${r.status}`);
  return r.headers.get('set-cookie').split(';')[0];
}

async function latency(name, n, fn) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(34)} n=${String(n).padEnd(5)} p50 ${pct(times, 50).toFixed(1)} ms   p95 ${pct(times, 95).toFixed(1)} ms`);
}

async function throughput(name, seconds, concurrency, fn) {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < end) {
        await fn(worker);
        done++;
      }
    }),
  );
  console.log(`${name.padEnd(34)} ${(done / seconds).toFixed(0)} requests/s (${concurrency} concurrent)`);
}

const server = await startServer();
try {
  const { url } = server;
  const users = ['alice', 'admin', 'ivan', 'judy', 'mallory'].map((u) => `${u}@example.com`);
  await latency('login (Argon2id m=19MiB t=2)', 20, (i) => login(url, users[i % users.length]));
  // One account per worker: attempts in flight count towards the
  // throttle until they succeed, as a burst of guesses would.
  await throughput('login (Argon2id)', 5, 4, (w) => login(url, users[w]));
  const cookie = await login(url, 'alice@example.com');
  const get = (path) => () => fetch(`${url}${path}`, { headers: { cookie } }).then((r) => r.arrayBuffer());
  await latency('GET /api/v1/me', 200, get('/api/v1/me'));
  await throughput('GET /api/v1/me', 5, 16, get('/api/v1/me'));
  await throughput('GET /api/v1/mfa', 5, 16, get('/api/v1/mfa'));
  await throughput('GET / (SPA page, CSP hashed)', 5, 16, get('/'));
} finally {
  server.stop();
}
