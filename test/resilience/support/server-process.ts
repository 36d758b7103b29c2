// The real server as a child process, as an admin runs it: the compiled bundle `npm start` runs
// (built by buildBundle, started with plain node) or the sources under tsx; a config file from
// BOT_CONFIG, port and database from the environment. Its stdout (pino JSON) is kept per run.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ServerOptions {
  configFile: string;
  dbFile: string;
  port: number;
  /** Where this run's stdout and stderr go. */
  logFile: string;
  /** Give up waiting for "Groupflow ready" after this long. */
  readyTimeoutMs?: number;
  /** A built main.js (see buildBundle); the sources under tsx when absent. */
  entry?: string;
  /** More environment for the child (GROUPFLOW_DB_URL, GROUPFLOW_INSTANCE_ID…). */
  env?: Record<string, string>;
}

/**
 * Builds the bundle `npm start` runs into `outdir` (inside the repository, so that its external
 * packages resolve from ./node_modules) and returns its main.js.
 */
export function buildBundle(outdir: string): string {
  execFileSync(process.execPath, ['scripts/build.mjs', `--outdir=${outdir}`, '--quiet'], { cwd: REPO_ROOT, stdio: 'inherit' });
  return resolve(outdir, 'main.js');
}

/**
 * A free TCP port on 127.0.0.1 below the kernel's ephemeral range (32768+ on Linux), so that no
 * other test's listen(0) can take it while the server is down between a kill and its restart.
 */
export async function freePort(pick: () => number): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = pick();
    const srv = createServer();
    const ok = await new Promise<boolean>((r) => {
      srv.once('error', () => r(false));
      srv.listen(port, '127.0.0.1', () => r(true));
    });
    if (ok) {
      await new Promise<void>((r) => srv.close(() => r()));
      return port;
    }
  }
  throw new Error('no free port');
}

export class ServerProcess {
  readonly base: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Milliseconds from spawn to "Groupflow ready". */
  readyMs = 0;
  private readonly out: WriteStream;

  private constructor(
    private readonly child: ChildProcess,
    o: ServerOptions,
  ) {
    this.base = `http://127.0.0.1:${o.port}`;
    this.out = createWriteStream(o.logFile, { flags: 'a' });
    child.stdout!.pipe(this.out, { end: false });
    child.stderr!.pipe(this.out, { end: false });
    this.exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(o: ServerOptions): Promise<ServerProcess> {
    const t0 = performance.now();
    const child = spawn(process.execPath, o.entry ? [o.entry] : ['--import', 'tsx', 'src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        BOT_CONFIG: o.configFile,
        GROUPFLOW_PORT: String(o.port),
        GROUPFLOW_DB_FILE: o.dbFile,
        NODE_ENV: 'production',
        ...o.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p = new ServerProcess(child, o);
    await new Promise<void>((resolveReady, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`server not ready within ${o.readyTimeoutMs ?? 60_000} ms (see ${o.logFile})`)), o.readyTimeoutMs ?? 60_000);
      const onData = (c: Buffer) => {
        buf += c.toString('utf8');
        if (buf.includes('"msg":"Groupflow ready"')) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolveReady();
        }
        if (buf.length > 1_000_000) buf = buf.slice(-10_000);
      };
      child.stdout!.on('data', onData);
      void p.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`server exited before it was ready (code ${code}, signal ${signal}; see ${o.logFile})`));
      });
    });
    p.readyMs = Math.round(performance.now() - t0);
    return p;
  }

  /** kill -9: no shutdown hooks, no flush — a power cut as far as the process knows. */
  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
    this.out.end();
  }

  /** SIGTERM: the graceful shutdown of main.ts. */
  async terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill('SIGTERM');
    const r = await this.exited;
    this.out.end();
    return r;
  }
}
