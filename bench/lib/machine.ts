// The machine a run happened on, and how busy it was with work that is not ours.

import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  os: string;
  loadAvgAtStart: number[];
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    ramGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAvgAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

/** Busy CPU time (ms) of the whole machine, and of the given processes, from /proc (Linux). */
interface CpuSnapshot {
  machineBusyMs: number;
  oursMs: number;
  at: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

function machineBusy(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = line;
  return (user + nice + system + irq + softirq) * TICK_MS;
}

/** CPU time (user + system, ms) a process has used so far. */
export function processCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after the name: state(0) … utime(11) stime(12) cutime(13) cstime(14)
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

export function cpuSnapshot(pids: number[]): CpuSnapshot {
  return { machineBusyMs: machineBusy(), oursMs: pids.reduce((a, p) => a + processCpu(p), 0), at: performance.now() };
}

/**
 * CPU used by other processes between two snapshots, as a share of the whole machine (0..1).
 * Our processes must be the same set in both snapshots (and still running at the second).
 */
export function backgroundShare(a: CpuSnapshot, b: CpuSnapshot, cores: number, alsoOursMs = 0): number {
  const wall = b.at - a.at;
  if (wall <= 0 || !existsProc()) return 0;
  const other = Math.max(0, b.machineBusyMs - a.machineBusyMs - (b.oursMs - a.oursMs) - alsoOursMs);
  return other / (wall * cores);
}

function existsProc(): boolean {
  try {
    readFileSync('/proc/stat');
    return true;
  } catch {
    return false;
  }
}

/** Waits (bounded) until other processes use less than `maxShare` of the machine over a second. */
export async function waitForQuiet(maxShare: number, maxWaitMs: number, log: (s: string) => void): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let share = 1;
  let warned = false;
  do {
    const a = cpuSnapshot([process.pid]);
    await new Promise((r) => setTimeout(r, 1000));
    share = backgroundShare(a, cpuSnapshot([process.pid]), os.cpus().length);
    if (share < maxShare) return share;
    if (!warned && Date.now() < deadline) {
      log(`  other processes use ${(share * 100).toFixed(0)}% of the CPUs; waiting up to ${Math.round(maxWaitMs / 1000)} s for a quieter machine…`);
      warned = true;
    }
  } while (Date.now() < deadline);
  return share;
}
