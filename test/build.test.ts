// `npm start` runs the compiled bundle (scripts/build.mjs → dist/main.js under plain node). This
// builds it into a scratch folder inside the repo (bare imports resolve from ./node_modules),
// starts it on a new database and checks what only the bundle can get wrong: the migrations and
// the sandbox page's files found from the bundle's own location, and a lazily loaded chunk
// (exceljs, on the first xlsx export).

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const scratch = join(root, '.tmp', `build-test-${process.pid}`);
const outdir = join(scratch, 'dist');
let proc: ChildProcess | undefined;
let base = '';
let output = '';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc?.exitCode !== null) throw new Error(`dist/main.js exited with ${proc?.exitCode}:\n${output}`);
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}:\n${output}`);
}

beforeAll(async () => {
  mkdirSync(scratch, { recursive: true });
  execFileSync(process.execPath, ['scripts/build.mjs', `--outdir=${outdir}`, '--quiet'], { cwd: root, stdio: 'inherit' });
  const config = join(scratch, 'bot.config.json');
  writeFileSync(config, JSON.stringify({ log: { level: 'warn', pretty: false }, scheduler: { enabled: false } }));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  proc = spawn(process.execPath, [join(outdir, 'main.js')], {
    cwd: scratch,
    env: { ...process.env, BOT_CONFIG: config, GROUPFLOW_DB_FILE: join(scratch, 'data', 'gf.db'), GROUPFLOW_PORT: String(port), GROUPFLOW_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
}, 60_000);

afterAll(async () => {
  if (proc && proc.exitCode === null) {
    const exited = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  rmSync(scratch, { recursive: true, force: true });
});

describe('the compiled build (npm start)', () => {
  it('starts on a new database and answers /readyz', async () => {
    const ready = await until('/readyz 200', async () => {
      const res = await fetch(`${base}/readyz`);
      return res.status === 200 ? ((await res.json()) as unknown) : undefined;
    });
    expect(ready).toEqual({ ok: true, db: true, migrations: true, connections: [] }); // the sandbox keeps no long connection
    expect(output).toContain('sandbox ready');
  });

  it('serves the sandbox page and its files', async () => {
    const page = await fetch(`${base}/sandbox`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const css = await fetch(`${base}/sandbox/page.css`);
    expect(css.status).toBe(200);
    expect((await css.text()).length).toBeGreaterThan(100);
  });

  it('loads exceljs on demand for an xlsx export', async () => {
    const state = (await (await fetch(`${base}/sandbox/api/state`)).json()) as { users: Array<{ id: string }>; chats: Array<{ id: string }> };
    const chatId = state.chats[0]!.id;
    const posted = await fetch(`${base}/sandbox/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chatId, userId: state.users[0]!.id, text: '/归档 xlsx' }),
    });
    expect(posted.status).toBe(201);
    const link = await until('the export link', async () => {
      const text = await (await fetch(`${base}/sandbox/api/messages?chatId=${encodeURIComponent(chatId)}`)).text();
      return /http:\/\/[^\s"\\]+\/files\/[\w.-]+/.exec(text)?.[0];
    });
    const file = await fetch(link);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
  });
});
