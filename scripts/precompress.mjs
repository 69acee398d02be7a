// Writes brotli (quality 11) and gzip (level 9) copies next to the built
// SPA's files, so the server sends the smallest encoding without
// compressing on every request.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dir = process.argv[2] ?? 'dist';
for (const f of readdirSync(dir)) {
  if (!/\.(wasm|js|css|html|svg)$/.test(f)) continue;
  const bytes = readFileSync(join(dir, f));
  writeFileSync(join(dir, f + '.br'), brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(join(dir, f + '.gz'), gzipSync(bytes, { level: 9 }));
}
