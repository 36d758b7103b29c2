// Part 4: the real process, src/main.ts (what `npm start` runs, with tsx as a --import hook):
// - start-up time: from spawn to the first 200 from GET /readyz, on a new database (migrations
//   run) and restarting on an existing one;
// - resident memory after a full GC, idle on a fresh database, and idle on the database with 1M
//   items built by the scheduler part. The scheduler's cron is off for the memory figures, so a
//   minute boundary cannot land a tick (or the Monday digest planning) inside the measurement.

import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pollReady, spawnServer, withTimeout } from '../lib/child.ts';
import { median, round } from '../lib/stats.ts';

export interface StartupReport {
  freshMs: number;
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

/** Spawns main.ts and resolves with the ms from spawn to /readyz 200. */
async function timeStart(configFile: string, dbFile: string, logFile: string): Promise<number> {
  const port = await freePort();
  const out = openSync(logFile, 'a');
  const t0 = performance.now();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, ...env(configFile, dbFile, port) }, stdio: ['ignore', out, out] });
  closeSync(out);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  try {
    await withTimeout(pollReady(`http://127.0.0.1:${port}/readyz`, proc), 30_000, 'src/main.ts ready');
    if (proc.exitCode !== null) throw new Error(`src/main.ts exited with ${proc.exitCode} (see ${logFile})`);
    return performance.now() - t0;
  } finally {
    proc.kill('SIGTERM');
    await withTimeout(exited, 10_000, 'src/main.ts exit').catch(() => {
      proc.kill('SIGKILL');
    });
  }
}

export async function benchStartup(tmpDir: string, logDir: string, restarts: number): Promise<StartupReport> {
  const configFile = join(tmpDir, 'startup.config.json');
  writeFileSync(configFile, JSON.stringify({ log: { level: 'info', pretty: false } }));
  const dbFile = join(tmpDir, 'startup.db');
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
  const logFile = join(logDir, 'startup.log');
  const freshMs = await timeStart(configFile, dbFile, logFile);
  const restartMs: number[] = [];
  for (let i = 0; i < restarts; i++) restartMs.push(await timeStart(configFile, dbFile, logFile));
  return { freshMs: round(freshMs, 0), restartMs: restartMs.map((x) => round(x, 0)), restartMedianMs: round(median(restartMs), 0), restartMinMs: round(Math.min(...restartMs), 0) };
}

async function rssOf(configFile: string, dbFile: string, logFile: string): Promise<{ rssMB: number; heapMB: number }> {
  const port = await freePort();
  const child = await spawnServer('src/main.ts', [], {
    nodeArgs: ['--expose-gc'],
    imports: ['./bench/lib/probe.ts'],
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
  const configFile = join(tmpDir, 'memory.config.json');
  writeFileSync(configFile, JSON.stringify({ log: { level: 'info', pretty: false }, scheduler: { enabled: false } }));
  const dbFile = join(tmpDir, 'memory.db');
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
  const idle = await rssOf(configFile, dbFile, join(logDir, 'memory-idle.log'));
  const report: MemoryReport = { idleRssMB: idle.rssMB, idleHeapMB: idle.heapMB };
  if (bigDb) {
    const big = await rssOf(configFile, bigDb.file, join(logDir, 'memory-1m.log'));
    Object.assign(report, { withItemsRssMB: big.rssMB, withItemsHeapMB: big.heapMB, items: bigDb.items });
  }
  return report;
}
