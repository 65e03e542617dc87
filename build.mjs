// Bundles every entry point of static/src into static/dist (deterministic: same inputs, same bytes).
import { build } from 'esbuild';

const outdir = process.argv[2] || 'static/dist';

// One bundle per page; modules they share are bundled into each.
export const entryPoints = [
  'static/src/base.js',
  'static/src/signup.js',
  'static/src/home.js',
  'static/src/ledger.js',
  'static/src/privacy_passages.js',
  'static/src/agreements.js',
  'static/src/dialogue.js',
  'static/src/apology.js',
];

await build({
  entryPoints,
  outdir,
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['es2020'],
  legalComments: 'none',
  logLevel: 'warning',
});
