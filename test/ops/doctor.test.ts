import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { runDoctor } from '../../src/ops/doctor.ts';
import { FakeDingtalk } from '../fakes/dingtalk.fake.ts';
import { FakeFeishu } from '../fakes/feishu.fake.ts';

const run = promisify(execFile);
let feishu: FakeFeishu;
let dingtalk: FakeDingtalk;
const dir = mkdtempSync(join(tmpdir(), 'gf-doctor-'));

beforeAll(async () => {
  feishu = await new FakeFeishu().start();
  dingtalk = await new FakeDingtalk().start();
});
afterAll(async () => {
  await feishu.stop();
  await dingtalk.stop();
});

function config(over: { dingtalkSecret?: string } = {}) {
  return parseConfig({
    database: { file: join(dir, 'bot.db') },
    server: { publicUrl: 'https://bot.example.com' },
    platforms: {
      feishu: { enabled: true, appId: 'cli_0123456789abcdef', appSecret: 'sec', encryptKey: 'k', domain: feishu.url },
      dingtalk: { enabled: true, clientId: 'dingtestkey', clientSecret: over.dingtalkSecret ?? 'test-app-secret', robotCode: 'dingtestkey', cardTemplateId: 'tpl', apiBase: dingtalk.url },
    },
  });
}

describe('doctor', () => {
  it('good credentials: every check passes, and the token endpoints were asked', async () => {
    const checks = await runDoctor(config(), { now: new Date('2026-03-01T00:00:00Z') });
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.find((c) => c.name.startsWith('飞书'))!.level).toBe('ok');
    expect(checks.find((c) => c.name.startsWith('钉钉'))!.level).toBe('ok');
    expect(feishu.tokenRequests.at(-1)).toEqual({ app_id: 'cli_0123456789abcdef', app_secret: 'sec' });
    expect(dingtalk.tokenRequests.at(-1)).toEqual({ appKey: 'dingtestkey', appSecret: 'test-app-secret' });
  });

  it('bad credentials are named plainly, with the vendor code and the keys to fix', async () => {
    feishu.failNext({ op: 'token', status: 200, body: { code: 10014, msg: 'app secret invalid' } });
    const checks = await runDoctor(config({ dingtalkSecret: 'wrong' }));
    const f = checks.find((c) => c.name.startsWith('飞书'))!;
    expect(f.ok).toBe(false);
    expect(f.detail).toContain('10014');
    expect(f.detail).toContain('platforms.feishu.appId / appSecret');
    const d = checks.find((c) => c.name.startsWith('钉钉'))!;
    expect(d.ok).toBe(false);
    expect(d.detail).toContain('invalidClientIdOrSecret');
    expect(d.detail).toContain('platforms.dingtalk.clientId / clientSecret');
  });

  it('an unreachable OpenAPI is a clear failure', async () => {
    const c = config();
    c.platforms.feishu.domain = 'http://127.0.0.1:9';
    const f = (await runDoctor(c, { timeoutMs: 2000 })).find((x) => x.name.startsWith('飞书'))!;
    expect(f).toMatchObject({ ok: false });
    expect(f.detail).toContain('无法连接');
  });

  it('warns when the coming year has no holiday data', async () => {
    const checks = await runDoctor(config(), { now: new Date('2026-11-23T00:00:00Z') });
    expect(checks.find((c) => c.name.startsWith('工作日历'))).toMatchObject({ level: 'warn' });
    expect(checks.find((c) => c.name.startsWith('工作日历'))!.detail).toContain('2027');
  });

  it('npm run doctor exits 1 on bad credentials and prints why', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        database: { file: join(dir, 'cli.db') },
        platforms: { dingtalk: { enabled: true, clientId: 'dingtestkey', clientSecret: 'nope', robotCode: 'x', apiBase: dingtalk.url } },
      }),
    );
    const r = await run('npx', ['tsx', 'src/ops/doctor-cli.ts'], { env: { ...process.env, BOT_CONFIG: file } }).catch((e: { code: number; stdout: string }) => e);
    expect((r as { code: number }).code).toBe(1);
    expect((r as { stdout: string }).stdout).toContain('❌ 钉钉凭证');
  });
});
