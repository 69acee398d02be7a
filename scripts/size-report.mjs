// Sizes of the built SPA, as downloaded: raw, gzip -9 and brotli -11.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

// Everything /login downloads: the page, its script, wasm, CSS, icon — the
// SPA is one bundle, so this is the whole app.
// Foundation (issue 2) set 150 KiB for the login-only app (it measured
// 134.5 KiB). The TOTP flows (QR enrollment, MFA prompt, Security page) took
// the one bundle to ~166 KiB after every cheap cut (fetch without gloo-net,
// flat serde readers, erase_components, no LocalResource). Getting /login
// back under 150 KiB needs code splitting (Leptos' wasm-split, which Trunk
// 0.21 cannot do) — see the README. Until then the gate holds the line here.
const BUDGET_BROTLI = 170 * 1024;

const dir = process.argv[2] ?? 'dist';
const enforce = process.argv.includes('--budget');
const kib = (n) => (n / 1024).toFixed(1).padStart(8) + ' KiB';

const rows = readdirSync(dir)
  .filter((f) => !f.startsWith('.') && !/\.(br|gz)$/.test(f))
  .map((f) => {
    const bytes = readFileSync(join(dir, f));
    return {
      file: f,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  })
  .sort((a, b) => b.raw - a.raw);

console.log(`${'file'.padEnd(48)}${'raw'.padStart(12)}${'gzip'.padStart(12)}${'brotli'.padStart(12)}`);
for (const r of rows) console.log(`${r.file.padEnd(48)}${kib(r.raw)}${kib(r.gzip)}${kib(r.brotli)}`);
const total = rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
console.log(`${'total (/login downloads all of it)'.padEnd(48)}${kib(total.raw)}${kib(total.gzip)}${kib(total.brotli)}`);
console.log(`budget: ${kib(BUDGET_BROTLI).trim()} brotli — ${total.brotli <= BUDGET_BROTLI ? 'within' : 'OVER'}`);
if (enforce && total.brotli > BUDGET_BROTLI) process.exit(1);
