// The web page's build: React, hashed assets in dist/assets, and a compressed copy (.br, .gz)
// of every text asset beside it, which the server sends to browsers that accept them.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map)$/;

function compressedCopies(): Plugin {
  let outDir = 'dist';
  return {
    name: 'carnet-compressed-copies',
    apply: 'build',
    configResolved(c) {
      outDir = c.build.outDir;
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
      for (const file of walk(outDir).filter((f) => COMPRESSIBLE.test(f))) {
        const bytes = readFileSync(file);
        if (bytes.length < 1024) continue;
        writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), compressedCopies()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The page runs in current browsers only; no legacy bundle.
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  test: {
    // Node's: the page's modules under test are plain functions. A file that needs a DOM says so
    // (`// @vitest-environment happy-dom`, as test/cda.test.ts): starting happy-dom for every
    // file made most of the run's time.
    environment: 'node',
    include: ['test/**/*.test.{ts,tsx}'],
  },
});
