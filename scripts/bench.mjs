// Latency and throughput of the main API paths against real servers:
//   node scripts/bench.mjs                 starts target/server-release/portcullis-server
//                                          (or $PORTCULLIS_SERVER_BIN) on a fresh demo database
//   BENCH_DATABASE=postgres://…/db BENCH_INSTANCES=2 node scripts/bench.mjs
//                                          starts that many servers on that empty database
//   BENCH_URL=http://localhost:8080 node scripts/bench.mjs    uses a running demo server;
//                                          a comma-separated list for several instances
//   BENCH_SECONDS=5                        length of each throughput run
//   node scripts/bench.mjs --json          the figures as one JSON object on stdout
//                                          (the readable lines go to stderr); scripts/bench uses it
// With several instances every request goes to the next one in turn, as a
// round-robin load balancer would send them: a session made on one is used
// on the others.
// Prints figures; it is a measurement, not a test (nothing fails on speed).
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PASSWORD = process.env.PORTCULLIS_DEMO_PASSWORD ?? 'portcullis-demo';
const CSRF = { 'x-portcullis-csrf': '1', 'content-type': 'application/json' };
const JSON_OUT = process.argv.includes('--json');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const log = JSON_OUT ? (line) => console.error(line) : (line) => console.log(line);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Starts one server process and waits until it answers; throws (with its
// log) if it exits or stays silent.
async function startInstance(bin, args, env, dir) {
  const logFile = join(dir, 'server.log');
  const out = openSync(logFile, 'w');
  const child = spawn(bin, args, { env, stdio: ['ignore', out, out] });
  let exited = null;
  child.on('exit', (code, signal) => { exited = signal ?? code; });
  child.on('error', (e) => { exited = e.message; });
  const url = `http://127.0.0.1:${args[args.indexOf('--listen') + 1].split(':')[1]}`;
  for (let i = 0; i < 300; i++) {
    if (exited !== null) break;
    try {
      const r = await fetch(`${url}/api/openapi.json`);
      await r.arrayBuffer();
      if (r.ok) return { url, child };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  const why = exited !== null ? `exited (${exited})` : 'did not answer in 30 s';
  throw new Error(`${bin} ${why}:\n${readFileSync(logFile, 'utf8')}`);
}

async function startServers() {
  if (process.env.BENCH_URL) {
    const urls = process.env.BENCH_URL.split(',').map((u) => u.trim().replace(/\/$/, '')).filter(Boolean);
    return { urls, database: 'external', stop: () => {}, firstLog: null };
  }
  const bin = process.env.PORTCULLIS_SERVER_BIN ?? 'target/server-release/portcullis-server';
  const database = process.env.BENCH_DATABASE;
  const count = Number(process.env.BENCH_INSTANCES ?? 1);
  if (!(count >= 1)) throw new Error(`BENCH_INSTANCES=${process.env.BENCH_INSTANCES}: a number ≥ 1`);
  // Without a shared database each instance would have its own demo
  // organisation, and a session made on one would mean nothing to another.
  if (count > 1 && !database) throw new Error('several instances need a shared BENCH_DATABASE (postgres://…)');
  const ports = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  // Every instance must seal and open TOTP keys with the same key.
  const key = process.env.PORTCULLIS_ENCRYPTION_KEY ?? randomBytes(32).toString('base64');
  const env = { ...process.env, PORTCULLIS_DEMO_PASSWORD: PASSWORD, PORTCULLIS_ENCRYPTION_KEY: key, RUST_LOG: 'warn' };
  const dirs = [];
  const children = [];
  const stop = () => {
    for (const c of children) c.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
      dirs.push(dir);
      // The per-account limit on successful logins (20 per 5 min) would stop
      // the login throughput run after a second; raise it for the measurement.
      // The public URL is the same everywhere, as behind one load balancer.
      const args = [
        '--listen', `127.0.0.1:${ports[i]}`, '--public-url', `http://localhost:${ports[0]}`,
        '--data-dir', dir, '--spa-dir', 'dist', '--logins-per-account', '1000000',
        // the benchmark plays the reverse proxy that asks forward-auth
        '--trusted-proxy', '127.0.0.1',
      ];
      if (database) args.push('--database', database);
      // The first seeds the demo organisation; the others, started once it
      // answers, find it in the database.
      if (i === 0) args.push('--demo');
      children.push((await startInstance(bin, args, env, dir)).child);
    }
  } catch (e) {
    stop();
    throw e;
  }
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  const firstLog = join(dirs[0], 'server.log');
  return { urls, database: database ? database.split(':')[0].replace(/ql$/, '') : 'sqlite', stop, firstLog };
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const figures = {};

// RFC 6238 (SHA-1, 6 digits, 30-second steps) of a base32 key.
function totp(secret, step = Math.floor(Date.now() / 1000 / 30)) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const o = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

async function latency(id, name, n, fn) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const [p50, p95] = [pct(times, 50), pct(times, 95)];
  figures[`${id}_p50_ms`] = p50;
  figures[`${id}_p95_ms`] = p95;
  log(`${name.padEnd(34)} n=${String(n).padEnd(5)} p50 ${p50.toFixed(1)} ms   p95 ${p95.toFixed(1)} ms`);
}

async function throughput(id, name, seconds, concurrency, fn) {
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
  figures[`${id}_per_s`] = done / seconds;
  log(`${name.padEnd(34)} ${(done / seconds).toFixed(0)} requests/s (${concurrency} concurrent)`);
}

// Single sign-on: the administrator (through the demo's setup link and an
// authenticator app) adds a site for forward-auth and registers an app;
// then forward-auth checks with alice's session, as a proxy asks before
// each request (200 keep-alive connections at once for throughput), and
// token exchanges of codes made beforehand (a code lives 60 s).
async function sso(urls, next, aliceCookie, firstLog) {
  const link = readFileSync(firstLog, 'utf8').match(/\/welcome#([A-Za-z0-9_-]+)/);
  if (!link) throw new Error('no setup link for the administrator in the server log');
  const post = async (url, body, cookie) => {
    const r = await fetch(url, { method: 'POST', headers: { ...CSRF, ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
    const text = await r.text();
    if (!r.ok) throw new Error(`POST ${url}: ${r.status} ${text}`);
    return { json: text ? JSON.parse(text) : null, cookie: r.headers.get('set-cookie')?.split(';')[0] ?? cookie };
  };
  const base = urls[0];
  const welcome = await post(`${base}/api/v1/welcome`, { token: link[1], password: PASSWORD });
  let admin = welcome.cookie;
  const { json: enrollment } = await post(`${base}/api/v1/totp/enroll`, {}, admin);
  admin = (await post(`${base}/api/v1/totp/confirm`, { code: totp(enrollment.secret) }, admin)).cookie;
  await post(`${base}/api/v1/admin/sites`, { domain: 'bench.example.com', rule: 'password_only', everyone: true }, admin);
  const redirect = 'https://bench-app.example.com/callback';
  const { json: app } = await post(`${base}/api/v1/admin/apps`, {
    name: 'Bench', launch_url: 'https://bench-app.example.com/', redirect_uris: [redirect], confidential: true,
    policy: 'org_default', first_party: true, everyone: true,
  }, admin);

  const ask = async () => {
    const r = await fetch(`${next()}/api/authz/forward-auth`, {
      headers: { cookie: aliceCookie, 'x-original-url': 'https://bench.example.com/page' },
    });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`forward-auth: ${r.status}`);
  };
  await latency('fa', 'forward-auth check', 500, ask);
  await throughput('fa', 'forward-auth check', SECONDS, 200, ask);

  const code = async () => {
    const q = new URLSearchParams({ response_type: 'code', client_id: app.client_id, redirect_uri: redirect, scope: 'openid email', state: 's' });
    const r = await fetch(`${next()}/oauth2/authorize?${q}`, { redirect: 'manual' });
    await r.arrayBuffer();
    const id = (r.headers.get('location') ?? '').replace('/sso/', '');
    const { json } = await post(`${next()}/api/v1/sso/${id}`, {}, aliceCookie);
    return new URL(json.url).searchParams.get('code');
  };
  const basic = `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`;
  const exchange = async (c) => {
    const r = await fetch(`${next()}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: c, redirect_uri: redirect }),
    });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`token: ${r.status}`);
  };
  const n = 1000;
  const codes = [];
  await Promise.all(Array.from({ length: 16 }, async () => { while (codes.length < n) codes.push(await code()); }));
  const t = performance.now();
  let i = 0;
  await Promise.all(Array.from({ length: 16 }, async () => { while (i < codes.length) await exchange(codes[i++]); }));
  const rate = codes.length / ((performance.now() - t) / 1000);
  figures.token_per_s = rate;
  log(`${'token exchange (code → tokens)'.padEnd(34)} ${rate.toFixed(0)} requests/s (16 concurrent, ${codes.length} codes)`);
}

const server = await startServers();
try {
  const { urls } = server;
  // Round robin: each request goes to the next instance.
  let turn = 0;
  const next = () => urls[turn++ % urls.length];
  const login = async (email) => {
    const r = await fetch(`${next()}/api/v1/login`, { method: 'POST', headers: CSRF, body: JSON.stringify({ email, password: PASSWORD }) });
    if (!r.ok) throw new Error(`login ${email}: ${r.status}`);
    return r.headers.get('set-cookie').split(';')[0];
  };
  log(`${urls.length} instance(s) on ${server.database}: ${urls.join(' ')}`);
  const users = ['alice', 'admin', 'ivan', 'judy', 'mallory'].map((u) => `${u}@example.com`);
  await latency('login', 'login (Argon2id m=19MiB t=2)', 20, (i) => login(users[i % users.length]));
  // One account per worker: attempts in flight count towards the
  // throttle until they succeed, as a burst of guesses would.
  await throughput('login', 'login (Argon2id)', SECONDS, 4, (w) => login(users[w]));
  const cookie = await login('alice@example.com');
  const get = (path) => async () => {
    const r = await fetch(`${next()}${path}`, { headers: { cookie } });
    await r.arrayBuffer();
    // A refused session would make a fast, meaningless figure.
    if (!r.ok) throw new Error(`GET ${path}: ${r.status}`);
  };
  await latency('me', 'GET /api/v1/me', 200, get('/api/v1/me'));
  await throughput('me', 'GET /api/v1/me', SECONDS, 16, get('/api/v1/me'));
  await throughput('mfa', 'GET /api/v1/mfa', SECONDS, 16, get('/api/v1/mfa'));
  // Without a built SPA (trunk build --release) there is no page to time.
  const page = await fetch(`${urls[0]}/`);
  await page.arrayBuffer();
  if (page.ok) await throughput('page', 'GET / (SPA page, CSP hashed)', SECONDS, 16, get('/'));
  else log('GET / (SPA page)                   skipped: no built SPA in dist/');
  if (server.firstLog) await sso(urls, next, cookie, server.firstLog);
  else log('forward-auth, token exchange        skipped: an external server (no setup link to read)');
  if (JSON_OUT) console.log(JSON.stringify({ database: server.database, instances: urls.length, ...figures }));
} finally {
  server.stop();
}
