import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { assignChats, exitCode, parseDoctorArgs, runDoctor } from '../../src/ops/doctor.ts';
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
    expect((r as { stdout: string }).stdout).toContain('✗ 钉钉凭证');
  });

  it('npm run doctor -- --chat <cid>: exits 0 when all passed, after posting into that chat; each line starts ✓ or ⚠', async () => {
    const file = join(dir, 'good.json');
    writeFileSync(
      file,
      JSON.stringify({
        database: { file: join(dir, 'cli-good.db') },
        platforms: {
          dingtalk: { enabled: true, mode: 'stream', clientId: 'dingtestkey', clientSecret: 'test-app-secret', robotCode: 'dingtestkey', cardTemplateId: 'tpl-cli.schema', apiBase: dingtalk.url },
        },
      }),
    );
    const cards = dingtalk.cardCreates.length;
    const r = await run('npx', ['tsx', 'src/ops/doctor-cli.ts', '--chat', 'cidCli=='], { env: { ...process.env, BOT_CONFIG: file } });
    expect(r.stdout).toContain('✓ 钉钉卡片模板');
    expect(r.stdout).toContain('✓ 钉钉 Stream');
    for (const line of r.stdout.split('\n').filter((l) => l.includes(' / ') && !l.startsWith('    →') && l.includes(':'))) expect(line).toMatch(/^[✓⚠] /);
    expect(dingtalk.cardCreates.slice(cards).map((c) => c.body.openSpaceId)).toEqual(['dtv1.card//IM_GROUP.cidCli==']);
  });

  it('npm run doctor exits 2 on an argument it does not know, and prints the usage', async () => {
    const r = await run('npx', ['tsx', 'src/ops/doctor-cli.ts', '--chats', 'x']).catch((e: { code: number; stdout: string }) => e);
    expect((r as { code: number }).code).toBe(2);
    expect((r as { stdout: string }).stdout).toContain('--chat');
  });

  it('a failed check prints its fix on the next line, and fails the exit status; warnings do not', async () => {
    feishu.failNext({ op: 'create', status: 400, body: { code: 230002, msg: 'Bot/User can NOT be out of the chat.' } });
    const checks = await runDoctor(config(), { chats: ['oc_gone'] });
    const f = checks.find((c) => c.name.startsWith('飞书发送'))!;
    expect(f.ok).toBe(false);
    expect(exitCode(checks)).toBe(1);
    expect(exitCode(checks.filter((c) => c.ok))).toBe(0);
  });

  it('--chat ids go to their platform by prefix or shape; an id of no known shape is a ✗ when both are on', async () => {
    const c = config();
    expect(assignChats(c, ['oc_a', 'cidB=='])).toEqual({ feishu: 'oc_a', dingtalk: 'cidB==', unknown: [] });
    expect(assignChats(c, ['feishu:x1', 'dingtalk:y2'])).toEqual({ feishu: 'x1', dingtalk: 'y2', unknown: [] });
    expect(assignChats(c, ['weird'])).toEqual({ unknown: ['weird'] });
    c.platforms.feishu.enabled = false;
    expect(assignChats(c, ['weird'])).toEqual({ dingtalk: 'weird', unknown: [] });
    expect(parseDoctorArgs(['--', '--chat', 'oc_a', '--chat=cidB'])).toEqual({ chats: ['oc_a', 'cidB'], errors: [] });
    expect(parseDoctorArgs(['--chat']).errors).toHaveLength(1);
    const checks = await runDoctor(config(), { chats: ['weird'] });
    expect(checks.find((x) => x.name === '--chat')).toMatchObject({ ok: false });
  });
});
