// Bundles static/src into static/dist: one entry per page, the modules they share split into chunks
// (deterministic: same inputs, same bytes). A page loads its entry alone (templates/base.html); the shared
// chunks, socket.io-client among them, come once, so the page has one copy of live.js and one connection.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const outdir = process.argv[2] || 'static/dist';

// One entry per page: each starts with base.js (the quick exit, idle logout, being here).
export const entryPoints = [
  'static/src/base.js',
  'static/src/signup.js',
  'static/src/home.js',
  'static/src/ledger.js',
  'static/src/agreements.js',
  'static/src/dialogue.js',
  'static/src/apology.js',
];

// Chunks are named by their content: last build's are removed, so none is left that no page asks for.
try {
  for (const name of readdirSync(outdir)) if (name.endsWith('.js')) rmSync(join(outdir, name));
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
}

await build({
  entryPoints,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  chunkNames: 'chunk-[hash]',
  minify: true,
  target: ['es2020'],
  legalComments: 'none',
  logLevel: 'warning',
});
