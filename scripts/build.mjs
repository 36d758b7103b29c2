// npm run build: compiles the bot to plain JavaScript in dist/, so `npm start` runs it with plain
// `node` (no tsx loader thread, no per-file transpiling at every start). Plain .mjs so it needs
// nothing but Node and esbuild. Usage: node scripts/build.mjs [--outdir=dist] [--quiet]
//
// - One ESM bundle per entry (src/main.ts and the CLIs) with code splitting: what src/ loads with
//   `await import()` (a platform only when it is enabled, exceljs on the first xlsx export, the
//   DingTalk Stream client in stream mode) stays a separate chunk that is loaded only then.
// - Pure-ESM libraries are bundled and tree-shaken (date-fns, chrono-node: only the functions and
//   locales used); everything else stays in node_modules and is imported from there (native
//   better-sqlite3, the vendor SDKs and the CommonJS packages: fastify, pino and its transports…).
// - Files that read files beside themselves with `import.meta.url` (migrations, sandbox page
//   assets) keep working: in each source file `import.meta.url` is rewritten to the URL the file
//   would have at dist/<its repo path>.js, and the non-TypeScript files of src/ and migrations/
//   are copied to the same relative places under dist/. Entries and chunks are all written
//   directly into dist/, so that rewrite is right for every one of them.

import { cpSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const outdir = resolve(root, args.get('outdir') ?? 'dist');
const quiet = args.has('quiet');

export const ENTRIES = ['src/main.ts', 'src/db/migrate-cli.ts', 'src/ops/backup-cli.ts', 'src/ops/doctor-cli.ts', 'src/scheduler/reminders-cli.ts'];

/** ESM-only packages without native code or file reads of their own: safe to bundle. */
const BUNDLED = new Set(['date-fns', '@date-fns/tz', 'chrono-node', 'zod', 'drizzle-orm', 'node-cron', 'lunar-typescript']);

const packageName = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

/** @type {import('esbuild').Plugin} */
const layout = {
  name: 'groupflow-layout',
  setup(b) {
    // Bare specifiers stay imports from node_modules unless the package is in BUNDLED.
    b.onResolve({ filter: /^[^./]/ }, (a) => {
      if (a.path.startsWith('node:')) return { path: a.path, external: true };
      return BUNDLED.has(packageName(a.path)) ? undefined : { path: a.path, external: true };
    });
    b.onLoad({ filter: /\.ts$/ }, (a) => {
      const rel = relative(root, a.path);
      if (rel.startsWith('..') || rel.startsWith(`node_modules${sep}`)) return undefined;
      let contents = readFileSync(a.path, 'utf8');
      if (contents.includes('import.meta.url')) {
        const at = `./${rel.split(sep).join('/').replace(/\.ts$/, '.js')}`;
        contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(at)}, import.meta.url).href`);
      }
      return { contents, loader: 'ts' };
    });
  },
};

const started = performance.now();
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ENTRIES,
  outdir,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  plugins: [layout],
  logLevel: 'warning',
  legalComments: 'none',
});
cpSync(join(root, 'migrations'), join(outdir, 'migrations'), { recursive: true });
cpSync(join(root, 'src'), join(outdir, 'src'), { recursive: true, filter: (f) => !f.endsWith('.ts') });
if (!quiet) console.log(`built ${relative(root, outdir) || '.'}/ in ${Math.round(performance.now() - started)} ms`);
