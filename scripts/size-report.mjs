// What a first visit to /login downloads, measured in Chromium on the wire:
// every request the page makes (HTML, JS, wasm, CSS, icon…) until the app
// has taken the page over, each with the bytes its body had on the wire
// (brotli, as the server sends the precompressed copies). Then the size of
// every lazily loaded part, by audience. Then, when a server binary is at
// hand (PORTCULLIS_SERVER_BIN, else target/debug/portcullis-server), a
// signed-in journey against the real server with a fresh demo database:
// /login, log in, home, then /security by the main navigation, the
// browser's cache on, every byte on the wire (API answers included).
// With --budget, fails when /login is over its gate or the journey over
// its own.
//
//   node scripts/size-report.mjs dist [--budget]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { chromium } from 'playwright-core';

// Issue 7: goal 100 KB brotli; the gate holds the line at the lowest figure
// measured (see README "Size": what each lever gave).
const GOAL = 100 * 1000;
const BUDGET = 120 * 1000;

// The signed-in journey (bodies): 312.0 KiB before the redesign (commit
// 991b948), 331.0 KiB after it, 290.2 KiB once home and Security were one
// part and the Security page's forms that wait for a click parts of their
// own; the gate holds the line there (with room for the ±1 KiB a run
// varies), the goal is 180 KiB (README "Size").
const JOURNEY_GATE = 296 * 1024;
const JOURNEY_GOAL = 180 * 1024;

const dir = process.argv[2] ?? 'dist';
const enforce = process.argv.includes('--budget');
const kb = (n) => (n / 1000).toFixed(1).padStart(8) + ' KB';
const brotli = (bytes) =>
  brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

// The portal's server sends precompressed .br files and index.html for every
// other path; this stand-in does the same, so the figures need no database.
const types = {
  '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.txt': 'text/plain',
};
function serve(req, res) {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  let file = join(dir, path);
  if (path.startsWith('/api/')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    return res.end('{"code":"not_found","message":"no API here"}');
  }
  if (!existsSync(file) || !statSync(file).isFile()) file = join(dir, 'index.html');
  const headers = { 'content-type': types[extname(file)] ?? 'application/octet-stream' };
  let body = readFileSync(file);
  if (/\bbr\b/.test(req.headers['accept-encoding'] ?? '')) {
    body = existsSync(file + '.br') ? readFileSync(file + '.br')
      : brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
    headers['content-encoding'] = 'br';
  }
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(body);
}

const server = createServer(serve);
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://localhost:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
const cdp = await page.context().newCDPSession(page);
await cdp.send('Network.enable');
const requests = new Map();
cdp.on('Network.responseReceived', (e) => {
  requests.set(e.requestId, { url: e.response.url, headers: e.response.headers, wire: 0 });
});
cdp.on('Network.loadingFinished', (e) => {
  const r = requests.get(e.requestId);
  if (r) r.wire = e.encodedDataLength;
});
await page.goto(`${base}/login`);
// The app has started once the static copy of the login card is gone.
await page.waitForFunction(() => !document.getElementById('boot') && document.getElementById('login-email'));
await page.waitForLoadState('networkidle');
server.close();

const header = (h, name) => Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];
const rows = [...requests.values()].map((r) => {
  const length = Number(header(r.headers, 'content-length') ?? 0);
  return { name: new URL(r.url).pathname, body: length, wire: r.wire };
});
console.log('What a first visit to /login downloads (Chromium, on the wire):');
console.log(`${'request'.padEnd(52)}${'body (br)'.padStart(12)}${'with headers'.padStart(14)}`);
for (const r of rows) console.log(`${r.name.padEnd(52)}${kb(r.body)}${kb(r.wire).padStart(14)}`);
const total = rows.reduce((t, r) => ({ body: t.body + r.body, wire: t.wire + r.wire }), { body: 0, wire: 0 });
console.log(`${'total /login'.padEnd(52)}${kb(total.body)}${kb(total.wire).padStart(14)}`);

// The lazily loaded parts, by audience (brotli bodies).
const app = readdirSync(dir).find((f) => f.startsWith('app-'));
const fetched = new Set(rows.map((r) => r.name.split('/').pop()));
const audience = (f) =>
  /admin/.test(f) ? 'admin'
    : /portal_view|user_menu|add_method/.test(f) ? 'portal'
    : /enroll|login_mfa|welcome|forgot|sso/.test(f) ? 'login steps'
    : /^split_/.test(f) ? 'parts opened on demand (fresh proof, passkey)'
    : 'shared by lazy parts';
const parts = {};
for (const f of app ? readdirSync(join(dir, app)) : []) {
  if (!f.endsWith('.wasm') || fetched.has(f)) continue;
  const a = audience(f);
  (parts[a] ??= []).push({ f, size: brotli(readFileSync(join(dir, app, f))) });
}
console.log('\nLazily loaded, not fetched by /login (brotli):');
for (const [a, files] of Object.entries(parts)) {
  const sum = files.reduce((t, x) => t + x.size, 0);
  console.log(`${a.padEnd(52)}${kb(sum)}   (${files.length} file${files.length > 1 ? 's' : ''})`);
}
const lazyFetched = rows.filter((r) => /split_|chunk_/.test(r.name));
if (lazyFetched.length) console.log(`\n/login fetched lazy parts: ${lazyFetched.map((r) => r.name).join(', ')}`);

const verdict = total.body <= GOAL ? 'within the goal' : total.body <= BUDGET ? 'within the gate, over the goal' : 'OVER';
console.log(`\n/login: ${kb(total.body).trim()} brotli; goal ${kb(GOAL).trim()}, gate ${kb(BUDGET).trim()} — ${verdict}`);

const journey = await signedInJourney();
await browser.close();
if (enforce && (total.body > BUDGET || lazyFetched.length)) process.exit(1);
if (enforce && journey > JOURNEY_GATE) process.exit(1);

/**
 * /login → home → /security as a demo user, against the real server (its
 * own fresh database, on a free loopback port). Returns the bytes on the
 * wire (0 when no server binary is at hand).
 */
async function signedInJourney() {
  const bin = process.env.PORTCULLIS_SERVER_BIN ?? 'target/debug/portcullis-server';
  if (!existsSync(bin)) {
    console.log(`\nSigned-in journey: not measured (no server at ${bin}; cargo build -p portcullis-server)`);
    return 0;
  }
  const password = 'size-report-demo';
  const data = mkdtempSync(join(tmpdir(), 'size-journey-'));
  const free = createServer();
  await new Promise((ok) => free.listen(0, '127.0.0.1', ok));
  const port = free.address().port;
  await new Promise((ok) => free.close(ok));
  const child = spawn(bin, ['--demo', '--listen', `127.0.0.1:${port}`, '--data-dir', data, '--spa-dir', dir], {
    env: { ...process.env, PORTCULLIS_DEMO_PASSWORD: password, RUST_LOG: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const origin = `http://localhost:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${origin}/api/openapi.json`)).ok) break;
      } catch {}
      if (i > 300) throw new Error('the server did not start');
      await new Promise((ok) => setTimeout(ok, 100));
    }
    const context = await browser.newContext();
    const tab = await context.newPage();
    const net = await context.newCDPSession(tab);
    await net.send('Network.enable');
    const seen = new Map();
    let step = '/login';
    // The headers' bytes apart: HTTP/1.1 on loopback sends each response's
    // in full, where HTTP/2 in front of a real deployment compresses the
    // repeated ones to a few bytes.
    net.on('Network.responseReceived', (e) =>
      seen.set(e.requestId, { url: e.response.url, wire: 0, head: e.response.encodedDataLength ?? 0, step }));
    net.on('Network.loadingFinished', (e) => {
      const r = seen.get(e.requestId);
      if (r) r.wire = e.encodedDataLength;
    });
    await tab.goto(`${origin}/login`);
    await tab.waitForFunction(() => !document.getElementById('boot') && document.getElementById('login-email'));
    await tab.waitForLoadState('networkidle');
    step = 'log in, home';
    // Judy: a password and no factor, nothing required of her.
    await tab.getByLabel('Email').fill('judy@example.com');
    await tab.getByLabel('Password').fill(password);
    await tab.getByRole('button', { name: 'Log in' }).click();
    await tab.getByRole('heading', { level: 1, name: /Judy/ }).waitFor();
    await tab.waitForLoadState('networkidle');
    step = '/security';
    await tab.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click();
    await tab.getByRole('heading', { name: 'Sign-in methods' }).waitFor();
    await tab.getByText('No sign-in method yet').waitFor();
    await tab.waitForLoadState('networkidle');
    await context.close();

    const kib = (n) => (n / 1024).toFixed(1).padStart(8) + ' KiB';
    const kind = (u) => {
      const path = new URL(u).pathname;
      return path.startsWith('/api/') ? 'API answers' : path.endsWith('.wasm') ? 'wasm' : path.endsWith('.css') ? 'CSS' : path.endsWith('.js') ? 'JS' : 'HTML and icons';
    };
    console.log('\nSigned-in journey, the real server, cache on (bodies on the wire; headers apart):');
    const steps = {};
    const kinds = {};
    let heads = 0;
    for (const r of seen.values()) {
      const body = Math.max(0, r.wire - r.head);
      heads += r.wire - body;
      steps[r.step] = (steps[r.step] ?? 0) + body;
      kinds[kind(r.url)] = (kinds[kind(r.url)] ?? 0) + body;
    }
    for (const [s, n] of Object.entries(steps)) console.log(`${s.padEnd(52)}${kib(n)}`);
    if (process.env.SIZE_REPORT_FILES) {
      for (const r of seen.values()) console.log(`  ${r.step.padEnd(14)}${new URL(r.url).pathname.slice(-40).padEnd(42)}${kib(r.wire - r.head)}`);
    }
    console.log(`${'  of which'.padEnd(52)}${Object.entries(kinds).map(([k, n]) => `${k} ${kib(n).trim()}`).join(', ')}`);
    console.log(`${'  headers of its ' + seen.size + ' responses (HTTP/1.1)'.padEnd(50)}${kib(heads)}`);
    const sum = Object.values(steps).reduce((a, b) => a + b, 0);
    const word = sum <= JOURNEY_GOAL ? 'within the goal' : sum <= JOURNEY_GATE ? 'within the gate, over the goal' : 'OVER';
    console.log(`journey: ${kib(sum).trim()}; goal ${kib(JOURNEY_GOAL).trim()}, gate ${kib(JOURNEY_GATE).trim()} — ${word}`);
    return sum;
  } finally {
    child.kill();
    rmSync(data, { recursive: true, force: true });
  }
}
