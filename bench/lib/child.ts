// Parent side of the bench's child processes: spawn a server with an IPC channel, wait until it
// says it listens, ask it for memory and counters, stop it. Every wait is bounded.

import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import type { ProbeReply } from './probe.ts';

export interface Child {
  proc: ChildProcess;
  port: number;
  probe: (opts?: { gc?: boolean }) => Promise<ProbeReply>;
  stop: () => Promise<void>;
}

export interface SpawnOptions {
  /** node flags before the script (e.g. --expose-gc, --cpu-prof). */
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** stdout and stderr of the child go to this file. */
  logFile: string;
  readyTimeoutMs?: number;
  cwd?: string;
  /** Ready when this URL answers 200 (polled from here) instead of on the child's message. */
  readyUrl?: string;
  /** Extra --import hooks after tsx (e.g. the probe, for a script that does not load it). */
  imports?: string[];
  /** Load tsx (default true); false for compiled JavaScript such as dist/main.js. */
  tsx?: boolean;
}

let probeSeq = 0;

/** Polls `url` until it answers 200 or the process exits. */
export async function pollReady(url: string, proc: ChildProcess): Promise<void> {
  while (proc.exitCode === null && proc.signalCode === null) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

/** Spawns `node --import tsx <script> <args…>` (without tsx if `tsx: false`) and resolves once it sent {type:'ready'}. */
export async function spawnServer(script: string, args: string[], o: SpawnOptions): Promise<Child> {
  const out = openSync(o.logFile, 'a');
  const imports = [...(o.tsx === false ? [] : ['tsx']), ...(o.imports ?? [])].flatMap((i) => ['--import', i]);
  const proc = spawn(process.execPath, [...(o.nodeArgs ?? []), ...imports, script, ...args], {
    cwd: o.cwd,
    env: { ...process.env, NODE_ENV: 'production', ...o.env },
    stdio: ['ignore', out, out, 'ipc'],
  });
  closeSync(out);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const port = await withTimeout(
    new Promise<number>((resolve, reject) => {
      proc.on('message', (m: { type?: string; port?: number }) => {
        if (m?.type === 'ready') resolve(Number(m.port));
      });
      void exited.then((code) => reject(new Error(`${script} exited with ${code} before it was ready (see ${o.logFile})`)));
      if (o.readyUrl) void pollReady(o.readyUrl, proc).then(() => resolve(Number(new URL(o.readyUrl!).port)));
    }),
    o.readyTimeoutMs ?? 60_000,
    `${script} ready`,
  );
  const probe = (p: { gc?: boolean } = {}) =>
    withTimeout(
      new Promise<ProbeReply>((resolve) => {
        const id = ++probeSeq;
        const on = (m: ProbeReply) => {
          if (m?.type === 'probe' && m.id === id) {
            proc.off('message', on);
            resolve(m);
          }
        };
        proc.on('message', on);
        proc.send({ type: 'probe', id, gc: p.gc ?? false });
      }),
      10_000,
      `${script} probe`,
    );
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    try {
      await withTimeout(exited, 10_000, `${script} exit`);
    } catch {
      proc.kill('SIGKILL');
      await withTimeout(exited, 5_000, `${script} kill`).catch(() => undefined);
    }
  };
  return { proc, port, probe, stop };
}

/**
 * Runs a bench part in its own process (its own heap, its own SQLite page cache) and resolves with
 * the object it sends as {type:'result', data}. Progress lines it sends as {type:'log'} are passed on.
 */
export async function runPart<T>(script: string, args: string[], o: SpawnOptions & { timeoutMs: number; onLog?: (line: string) => void }): Promise<T> {
  const out = openSync(o.logFile, 'a');
  const proc = spawn(process.execPath, [...(o.nodeArgs ?? []), '--import', 'tsx', script, ...args], {
    cwd: o.cwd,
    env: { ...process.env, NODE_ENV: 'production', ...o.env },
    stdio: ['ignore', out, out, 'ipc'],
  });
  closeSync(out);
  let result: T | undefined;
  proc.on('message', (m: { type?: string; data?: T; line?: string }) => {
    if (m?.type === 'result') result = m.data;
    if (m?.type === 'log' && m.line) o.onLog?.(m.line);
  });
  const code = await withTimeout(
    new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c))),
    o.timeoutMs,
    script,
  ).catch((err: unknown) => {
    proc.kill('SIGKILL');
    throw err;
  });
  if (code !== 0 || result === undefined) throw new Error(`${script} failed (exit ${code}); see ${o.logFile}`);
  return result;
}

/** Child side of runPart: resolves once the parent has the message (exit only after that). */
export function sendResult(data: unknown): Promise<void> {
  if (!process.send) {
    console.log(JSON.stringify(data, null, 2));
    return Promise.resolve();
  }
  return new Promise((resolve) => process.send!({ type: 'result', data }, () => resolve()));
}

export function sendLog(line: string): void {
  if (process.send) process.send({ type: 'log', line });
  else console.log(line);
}
