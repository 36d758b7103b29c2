// Part 4: the real process as `npm start` runs it: the compiled entry dist/main.js under plain
// `node` (`npm start` builds dist/ with scripts/build.mjs, then runs `node dist/main.js`). dist/ is
// built once here with that same script, before any timing, so the build is not in the figures.
// The memory probe (bench/lib/probe.ts) is transpiled to a .mjs for --import, as no tsx is loaded.
// - start-up time: from spawn to the first 200 from GET /readyz, on a new database (migrations
//   run; median of as many starts as restarts) and restarting on an existing one;
// - resident memory after a full GC, idle on a fresh database, and idle on the database with 1M
//   items built by the scheduler part. The scheduler's cron is off for the memory figures, so a
//   minute boundary cannot land a tick (or the Monday digest planning) inside the measurement.

import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { pollReady, spawnServer, withTimeout } from '../lib/child.ts';
import { median, round } from '../lib/stats.ts';

export interface StartupReport {
  /** Median of freshRunsMs. */
  freshMs: number;
  /** Each start on a new database (migrations run, sandbox seeded). */
  freshRunsMs: number[];
  restartMs: number[];
  restartMedianMs: number;
  restartMinMs: number;
}

export interface MemoryReport {
  idleRssMB: number;
  idleHeapMB: number;
  withItemsRssMB?: number;
  withItemsHeapMB?: number;
  items?: number;
}

const ENTRY = 'dist/main.js';
let built = false;

/** Builds dist/ the way `npm start` does, once per bench run. */
function buildOnce(): void {
  if (built) return;
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { stdio: 'inherit' });
  built = true;
}

/** bench/lib/probe.ts as plain JavaScript, for a --import into the compiled entry (no tsx there). */
function probeScript(tmpDir: string): string {
  const file = join(tmpDir, 'probe.mjs');
  writeFileSync(file, transformSync(readFileSync('bench/lib/probe.ts', 'utf8'), { loader: 'ts', format: 'esm' }).code);
  return file;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function env(configFile: string, dbFile: string, port: number): Record<string, string> {
  return { BOT_CONFIG: configFile, GROUPFLOW_DB_FILE: dbFile, GROUPFLOW_PORT: String(port), GROUPFLOW_HOST: '127.0.0.1' };
}

/** Spawns the compiled entry and resolves with the ms from spawn to /readyz 200. */
async function timeStart(configFile: string, dbFile: string, logFile: string): Promise<number> {
  const port = await freePort();
  const out = openSync(logFile, 'a');
  const t0 = performance.now();
  const proc = spawn(process.execPath, [ENTRY], { env: { ...process.env, ...env(configFile, dbFile, port) }, stdio: ['ignore', out, out] });
  closeSync(out);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  try {
    await withTimeout(pollReady(`http://127.0.0.1:${port}/readyz`, proc), 30_000, `${ENTRY} ready`);
    if (proc.exitCode !== null) throw new Error(`${ENTRY} exited with ${proc.exitCode} (see ${logFile})`);
    return performance.now() - t0;
  } finally {
    proc.kill('SIGTERM');
    await withTimeout(exited, 10_000, `${ENTRY} exit`).catch(() => {
      proc.kill('SIGKILL');
    });
  }
}

export async function benchStartup(tmpDir: string, logDir: string, restarts: number): Promise<StartupReport> {
  buildOnce();
  const configFile = join(tmpDir, 'startup.config.json');
  writeFileSync(configFile, JSON.stringify({ log: { level: 'info', pretty: false } }));
  const dbFile = join(tmpDir, 'startup.db');
  const removeDb = () => {
    for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
  };
  const logFile = join(logDir, 'startup.log');
  // New database: as many starts as restarts (each on a database just removed), median reported:
  // a single sample on a shared machine is mostly noise.
  const freshRunsMs: number[] = [];
  for (let i = 0; i < Math.max(1, restarts); i++) {
    removeDb();
    freshRunsMs.push(await timeStart(configFile, dbFile, logFile));
  }
  const restartMs: number[] = [];
  for (let i = 0; i < restarts; i++) restartMs.push(await timeStart(configFile, dbFile, logFile));
  return {
    freshMs: round(median(freshRunsMs), 0),
    freshRunsMs: freshRunsMs.map((x) => round(x, 0)),
    restartMs: restartMs.map((x) => round(x, 0)),
    restartMedianMs: round(median(restartMs), 0),
    restartMinMs: round(Math.min(...restartMs), 0),
  };
}

async function rssOf(configFile: string, dbFile: string, logFile: string, probe: string): Promise<{ rssMB: number; heapMB: number }> {
  const port = await freePort();
  const child = await spawnServer(ENTRY, [], {
    tsx: false,
    nodeArgs: ['--expose-gc'],
    imports: [probe],
    env: env(configFile, dbFile, port),
    logFile,
    readyTimeoutMs: 60_000,
    readyUrl: `http://127.0.0.1:${port}/readyz`,
  });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const p = await child.probe({ gc: true });
    return { rssMB: round(p.rss / 2 ** 20, 1), heapMB: round(p.heapUsed / 2 ** 20, 1) };
  } finally {
    await child.stop();
  }
}

export async function benchMemory(tmpDir: string, logDir: string, bigDb?: { file: string; items: number }): Promise<MemoryReport> {
  buildOnce();
  const probe = probeScript(tmpDir);
  const configFile = join(tmpDir, 'memory.config.json');
  writeFileSync(configFile, JSON.stringify({ log: { level: 'info', pretty: false }, scheduler: { enabled: false } }));
  const dbFile = join(tmpDir, 'memory.db');
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
  const idle = await rssOf(configFile, dbFile, join(logDir, 'memory-idle.log'), probe);
  const report: MemoryReport = { idleRssMB: idle.rssMB, idleHeapMB: idle.heapMB };
  if (bigDb) {
    const big = await rssOf(configFile, bigDb.file, join(logDir, 'memory-1m.log'), probe);
    Object.assign(report, { withItemsRssMB: big.rssMB, withItemsHeapMB: big.heapMB, items: bigDb.items });
  }
  return report;
}
