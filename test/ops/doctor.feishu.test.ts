// The Feishu checks of `npm run doctor` against the fake Feishu OpenAPI: each ✓ and each ✗ an
// admin meets in the console, with the fix named.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { type Check, runDoctor } from '../../src/ops/doctor.ts';
import { FakeFeishu } from '../fakes/feishu.fake.ts';

let feishu: FakeFeishu;
const dir = mkdtempSync(join(tmpdir(), 'gf-doctor-fs-'));

beforeAll(async () => {
  feishu = await new FakeFeishu().start();
});
afterAll(async () => {
  await feishu.stop();
});
beforeEach(() => {
  feishu.failures.length = 0;
  feishu.sent.length = 0;
  feishu.chats = [];
  feishu.bot = { open_id: 'ou_bot', app_name: 'Groupflow' };
});

function config(mode: 'webhook' | 'longconn' = 'webhook', publicUrl: string | null = 'https://bot.example.com') {
  return parseConfig({
    database: { file: join(dir, 'bot.db') },
    server: publicUrl ? { publicUrl } : {},
    platforms: { feishu: { enabled: true, mode, appId: 'cli_0123456789abcdef', appSecret: 'sec', encryptKey: 'k', domain: feishu.url } },
  });
}

const named = (checks: Check[], prefix: string): Check => {
  const c = checks.find((x) => x.name.startsWith(prefix));
  if (!c) throw new Error(`no check ${prefix} in ${checks.map((x) => x.name).join(', ')}`);
  return c;
};

describe('doctor: Feishu', () => {
  it('reads the bot identity from bot/v3/info', async () => {
    feishu.bot = { open_id: 'ou_mybot', app_name: '协作助手' };
    const c = named(await runDoctor(config()), '飞书机器人');
    expect(c).toMatchObject({ ok: true, level: 'ok' });
    expect(c.detail).toContain('协作助手');
    expect(c.detail).toContain('ou_mybot');
    expect(feishu.requests.some((r) => r.path === '/open-apis/bot/v3/info')).toBe(true);
  });

  it('a bot capability that is off is a ✗ that says where to turn it on', async () => {
    feishu.failNext({ op: 'bot_info', status: 400, body: { code: 230006, msg: 'Bot ability is not activated.' } });
    const c = named(await runDoctor(config()), '飞书机器人');
    expect(c.ok).toBe(false);
    expect(c.detail).toContain('230006');
    expect(c.fix).toContain('机器人');
    expect(c.fix).toContain('publish');
  });

  it('--chat: posts a self-check card into that chat', async () => {
    const checks = await runDoctor(config(), { chats: ['oc_team'] });
    expect(named(checks, '飞书发送')).toMatchObject({ ok: true, level: 'ok' });
    const sent = feishu.sent.at(-1)!;
    expect(sent).toMatchObject({ kind: 'create', target: 'oc_team', receiveIdType: 'chat_id', msgType: 'interactive' });
    expect(feishu.card(sent.messageId).header.title.content).toContain('自检');
  });

  it('--chat with a bot that is not in the chat: 230002 → add the bot to the group', async () => {
    feishu.failNext({ op: 'create', status: 400, body: { code: 230002, msg: 'Bot/User can NOT be out of the chat.' } });
    const c = named(await runDoctor(config(), { chats: ['feishu:oc_elsewhere'] }), '飞书发送');
    expect(c.ok).toBe(false);
    expect(c.detail).toContain('230002');
    expect(c.detail).toContain('oc_elsewhere');
    expect(c.fix).toContain('群机器人');
    expect(c.fix).toContain('Add bot');
  });

  it('a missing scope (99991672) names the scope to enable and says to publish', async () => {
    feishu.failNext({
      op: 'create',
      status: 400,
      body: {
        code: 99991672,
        msg: 'Access denied. One of the following scopes is required: [im:message, im:message:send_as_bot].应用尚未开通所需的应用身份权限：[im:message, im:message:send_as_bot]',
        error: { permission_violations: [{ type: 'action_scope_required', subject: 'im:message:send_as_bot' }] },
      },
    });
    const c = named(await runDoctor(config(), { chats: ['oc_team'] }), '飞书发送');
    expect(c.ok).toBe(false);
    expect(c.fix).toContain('权限管理');
    expect(c.fix).toContain('im:message:send_as_bot');
    expect(c.fix).toContain('publish a new version');
  });

  it('a 200340 answer points at 回调配置 → card.action.trigger and publishing', async () => {
    feishu.failNext({ op: 'create', status: 400, body: { code: 200340, msg: 'card callback not configured' } });
    const c = named(await runDoctor(config(), { chats: ['oc_team'] }), '飞书发送');
    expect(c.ok).toBe(false);
    expect(c.detail).toContain('200340');
    expect(c.fix).toContain('回调配置');
    expect(c.fix).toContain('card.action.trigger');
    expect(c.fix).toContain('publish');
  });

  it('a refused tenant token (99991663) on a call says to check the app and its domain', async () => {
    for (let i = 0; i < 2; i++) feishu.failNext({ op: 'create', status: 400, body: { code: 99991663, msg: 'Invalid access token for authorization.' } });
    const c = named(await runDoctor(config(), { chats: ['oc_team'] }), '飞书发送');
    expect(c.ok).toBe(false);
    expect(c.fix).toContain('platforms.feishu.domain');
  });

  it('a rate limit (11232) is explained as such', async () => {
    feishu.failNext({ op: 'create', status: 400, body: { code: 11232, msg: 'create message trigger rate limit' } });
    const c = named(await runDoctor(config(), { chats: ['oc_team'] }), '飞书发送');
    expect(c.ok).toBe(false);
    expect(c.fix).toContain('频率');
  });

  it('without --chat: the send test is skipped (a warning), and the chats the bot is in are listed', async () => {
    feishu.chats = [
      { chat_id: 'oc_a', name: '项目群' },
      { chat_id: 'oc_b', name: '运维群' },
    ];
    const checks = await runDoctor(config());
    const c = named(checks, '飞书发送');
    expect(c).toMatchObject({ ok: true, level: 'warn' });
    expect(c.detail).toContain('oc_a 项目群');
    expect(c.detail).toContain('oc_b 运维群');
    expect(c.fix).toContain('npm run doctor -- --chat oc_a');
    expect(feishu.sent).toEqual([]);
  });

  it('without --chat and a scope missing for the chat list: the scope is named', async () => {
    feishu.failNext({ op: 'chats', status: 400, body: { code: 99991672, msg: 'Access denied. One of the following scopes is required: [im:chat:readonly, im:chat].' } });
    const c = named(await runDoctor(config()), '飞书发送');
    expect(c.level).toBe('warn');
    expect(c.fix).toContain('im:chat:readonly');
  });

  it('webhook mode: gives the two request URLs to enter and reminds of card.action.trigger', async () => {
    const c = named(await runDoctor(config('webhook')), '飞书接收模式');
    expect(c).toMatchObject({ ok: true, level: 'ok' });
    expect(c.detail).toContain('https://bot.example.com/feishu/events');
    expect(c.detail).toContain('https://bot.example.com/feishu/card');
    expect(c.detail).toContain('card.action.trigger');
  });

  it('webhook mode without server.publicUrl is a warning with the fix', async () => {
    const c = named(await runDoctor(config('webhook', null)), '飞书接收模式');
    expect(c.level).toBe('warn');
    expect(c.fix).toContain('server.publicUrl');
  });

  it('long-connection mode: the long-connection endpoint answers → ✓', async () => {
    const before = feishu.wsEndpoint;
    feishu.wsEndpoint = { code: 0, msg: 'ok', data: { URL: 'wss://example.invalid/ws?ticket=x', ClientConfig: { PingInterval: 120 } } };
    try {
      const c = named(await runDoctor(config('longconn')), '飞书接收模式');
      expect(c).toMatchObject({ ok: true, level: 'ok' });
      expect(c.detail).toContain('长连接');
      const asked = feishu.requests.filter((r) => r.path === '/callback/ws/endpoint').at(-1)!;
      expect(asked.body).toMatchObject({ AppID: 'cli_0123456789abcdef', AppSecret: 'sec' });
    } finally {
      feishu.wsEndpoint = before;
    }
  });

  it('long-connection mode refused (514) → ✗ with the fix', async () => {
    const c = named(await runDoctor(config('longconn')), '飞书接收模式');
    expect(c.ok).toBe(false);
    expect(c.detail).toContain('514');
    expect(c.fix).toContain('企业自建');
  });

  it('bad credentials stop the Feishu checks after the credentials line', async () => {
    feishu.failNext({ op: 'token', status: 200, body: { code: 10014, msg: 'app secret invalid' } });
    const checks = await runDoctor(config());
    expect(named(checks, '飞书凭证').ok).toBe(false);
    expect(checks.filter((c) => c.name.startsWith('飞书'))).toHaveLength(1);
  });
});
