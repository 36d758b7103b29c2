// npm run build: compiles the bot to plain JavaScript in dist/, so `npm start` runs it with plain
// `node` (no tsx loader thread, no per-file transpiling at every start). Plain .mjs so it needs
// nothing but Node and esbuild. Usage: node scripts/build.mjs [--outdir=dist] [--quiet]
//
// - One ESM bundle per entry (src/main.ts and the CLIs) with code splitting: what src/ loads with
//   `await import()` (a platform only when it is enabled, exceljs on the first xlsx export, the
//   DingTalk Stream client in stream mode) stays a separate chunk that is loaded only then.
// - Libraries are bundled (ESM ones tree-shaken: only the date-fns functions and chrono-node
//   locales used) except those in EXTERNAL below, which are imported from node_modules.
// - Files that read files beside themselves with `import.meta.url` (migrations, sandbox page
//   assets) keep working: in each source file `import.meta.url` is rewritten to the URL the file
//   would have at dist/<its repo path>.js, and the non-TypeScript files of src/ and migrations/
//   are copied to the same relative places under dist/. Entries and chunks are all written
//   directly into dist/, so that rewrite is right for every one of them.

import { cpSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const outdir = resolve(root, args.get('outdir') ?? 'dist');
const quiet = args.has('quiet');

const ENTRIES = ['src/main.ts', 'src/db/migrate-cli.ts', 'src/ops/backup-cli.ts', 'src/ops/doctor-cli.ts', 'src/ops/sla-cli.ts', 'src/scheduler/reminders-cli.ts'];

/**
 * Packages left in node_modules and imported from there at run time: native code (better-sqlite3),
 * packages that start threads or processes from their own files (pino's transports, node-cron's
 * background tasks), and the vendor SDKs and exceljs, which are loaded only when used. Everything
 * else is bundled (fastify and its plugins, prom-client, zod, drizzle, date-fns, chrono-node…):
 * one file to parse instead of hundreds to resolve and load.
 */
const EXTERNAL = new Set(['better-sqlite3', 'pg', 'pino', 'pino-pretty', 'thread-stream', '@larksuiteoapi/node-sdk', 'dingtalk-stream', 'exceljs', 'node-cron']);

const packageName = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

/** @type {import('esbuild').Plugin} */
const layout = {
  name: 'groupflow-layout',
  setup(b) {
    // Bare specifiers of EXTERNAL packages stay imports from node_modules.
    b.onResolve({ filter: /^[^./]/ }, (a) => {
      if (a.path.startsWith('node:')) return { path: a.path, external: true };
      return EXTERNAL.has(packageName(a.path)) ? { path: a.path, external: true } : undefined;
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
// dist/ is not emptied first: a bot already running from it loads some chunks later (exceljs on
// the first xlsx export), and chunk names carry a content hash, so the chunks it knows stay.
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
  // Bundled CommonJS code (fastify and its plugins) calls require() for Node's built-ins and the
  // external packages: give every output file a real one.
  banner: { js: "import { createRequire as __gfRequire } from 'node:module'; const require = __gfRequire(import.meta.url);" },
});
cpSync(join(root, 'migrations'), join(outdir, 'migrations'), { recursive: true });
cpSync(join(root, 'src'), join(outdir, 'src'), { recursive: true, filter: (f) => !f.endsWith('.ts') });
if (!quiet) console.log(`built ${relative(root, outdir) || '.'}/ in ${Math.round(performance.now() - started)} ms`);
