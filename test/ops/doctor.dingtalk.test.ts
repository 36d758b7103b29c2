// The DingTalk checks of `npm run doctor` against the fake DingTalk: robot code, card template,
// Stream gateway and HTTP callback registration, each ✓ and each ✗ with the fix named.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { type Check, runDoctor } from '../../src/ops/doctor.ts';
import { FakeDingtalk } from '../fakes/dingtalk.fake.ts';

let dingtalk: FakeDingtalk;
const dir = mkdtempSync(join(tmpdir(), 'gf-doctor-dt-'));

beforeAll(async () => {
  dingtalk = await new FakeDingtalk().start();
});
afterAll(async () => {
  await dingtalk.stop();
});
beforeEach(() => {
  dingtalk.refuseGateway = undefined;
});

interface Over {
  mode?: 'http' | 'stream';
  publicUrl?: string | null;
  cardTemplateId?: string;
  robotCode?: string;
}

function config(o: Over = {}) {
  const publicUrl = o.publicUrl === undefined ? 'https://bot.example.com' : o.publicUrl;
  return parseConfig({
    database: { file: join(dir, 'bot.db') },
    server: publicUrl ? { publicUrl } : {},
    platforms: {
      dingtalk: {
        enabled: true,
        mode: o.mode ?? 'http',
        clientId: 'dingtestkey',
        clientSecret: 'test-app-secret',
        robotCode: o.robotCode ?? 'dingtestkey',
        cardTemplateId: o.cardTemplateId ?? 'tpl-1.schema',
        apiBase: dingtalk.url,
        oapiBase: dingtalk.url,
      },
    },
  });
}

const named = (checks: Check[], prefix: string): Check => {
  const c = checks.find((x) => x.name.startsWith(prefix));
  if (!c) throw new Error(`no check ${prefix} in ${checks.map((x) => x.name).join(', ')}`);
  return c;
};

describe('doctor: DingTalk', () => {
  it('--chat: the robot posts a text and the template delivers a card into that chat', async () => {
    const sends = dingtalk.groupSends.length;
    const cards = dingtalk.cardCreates.length;
    const checks = await runDoctor(config(), { chats: ['cidTeam=='] });
    expect(named(checks, '钉钉机器人')).toMatchObject({ ok: true, level: 'ok' });
    expect(named(checks, '钉钉卡片模板')).toMatchObject({ ok: true, level: 'ok' });
    const send = dingtalk.groupSends.slice(sends).at(-1)!.body;
    expect(send).toMatchObject({ robotCode: 'dingtestkey', openConversationId: 'cidTeam==', msgKey: 'sampleText' });
    const card = dingtalk.cardCreates.slice(cards).at(-1)!.body;
    expect(card).toMatchObject({ cardTemplateId: 'tpl-1.schema', openSpaceId: 'dtv1.card//IM_GROUP.cidTeam==', callbackType: 'HTTP' });
    expect(Object.values(card.cardData.cardParamMap).join(' ')).toContain('自检');
  });

  it('a card template that does not exist or is unpublished → ✗ naming the template and the fix', async () => {
    dingtalk.failNext('cardCreate', 400, { code: 'param.templateUnpublished', message: 'param.templateUnpublished', requestid: 'r1' });
    const c = named(await runDoctor(config({ cardTemplateId: 'missing-tpl.schema' }), { chats: ['cidTeam=='] }), '钉钉卡片模板');
    expect(c.ok).toBe(false);
    expect(c.detail).toContain('missing-tpl.schema');
    expect(c.detail).toContain('param.templateUnpublished');
    expect(c.fix).toContain('发布');
    expect(c.fix).toContain('platforms.dingtalk.cardTemplateId');
  });

  it('a card permission that is missing → ✗ naming Card.Instance.Write', async () => {
    dingtalk.failNext('cardCreate', 403, { code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied', message: '没有调用该接口的权限', requestid: 'r2' });
    const c = named(await runDoctor(config(), { chats: ['cidTeam=='] }), '钉钉卡片模板');
    expect(c.ok).toBe(false);
    expect(c.fix).toContain('Card.Instance.Write');
  });

  it('no cardTemplateId is a warning: cards go as markdown', async () => {
    const c = named(await runDoctor(config({ cardTemplateId: '' }), { chats: ['cidTeam=='] }), '钉钉卡片模板');
    expect(c).toMatchObject({ ok: true, level: 'warn' });
    expect(c.fix).toContain('platforms.dingtalk.cardTemplateId');
  });

  it('a robot code that does not belong to the app → ✗ naming platforms.dingtalk.robotCode', async () => {
    dingtalk.failNext('groupSend', 400, { code: 'invalidParameter.robotCode.auth', message: 'robotCode 和 AppKey 不匹配', requestid: 'r3' });
    const c = named(await runDoctor(config({ robotCode: 'dingother' }), { chats: ['cidTeam=='] }), '钉钉机器人');
    expect(c.ok).toBe(false);
    expect(c.detail).toContain('invalidParameter.robotCode.auth');
    expect(c.fix).toContain('platforms.dingtalk.robotCode');
  });

  it('a chat the robot is not in → ✗ saying to add the robot to the group', async () => {
    dingtalk.failNext('groupSend', 400, { code: 'resource.unavailable', message: '机器人不在群里', requestid: 'r4' });
    const c = named(await runDoctor(config(), { chats: ['dingtalk:cidOther=='] }), '钉钉机器人');
    expect(c.ok).toBe(false);
    expect(c.detail).toContain('cidOther==');
    expect(c.fix).toContain('添加机器人');
  });

  it('without --chat: robot and template are not tested, said as warnings with the command to run', async () => {
    const cards = dingtalk.cardCreates.length;
    const checks = await runDoctor(config());
    expect(named(checks, '钉钉机器人')).toMatchObject({ ok: true, level: 'warn' });
    const t = named(checks, '钉钉卡片模板');
    expect(t).toMatchObject({ ok: true, level: 'warn' });
    expect(t.fix).toContain('npm run doctor -- --chat');
    expect(dingtalk.cardCreates.length).toBe(cards);
  });

  it('a robotCode unlike the AppKey is a warning even without --chat', async () => {
    const c = named(await runDoctor(config({ robotCode: 'dingsomethingelse' })), '钉钉机器人');
    expect(c.level).toBe('warn');
    expect(c.detail).toContain('dingsomethingelse');
  });

  it('stream mode: the gateway hands out a ticket → ✓, with the subscriptions the bot uses', async () => {
    const opens = dingtalk.gatewayOpens.length;
    const c = named(await runDoctor(config({ mode: 'stream' })), '钉钉 Stream');
    expect(c).toMatchObject({ ok: true, level: 'ok' });
    const asked = dingtalk.gatewayOpens.slice(opens).at(-1)!;
    expect(asked).toMatchObject({ clientId: 'dingtestkey', clientSecret: 'test-app-secret' });
    expect(JSON.stringify(asked.subscriptions)).toContain('/v1.0/card/instances/callback');
  });

  it('stream mode: a refusing gateway → ✗ with the console setting to check', async () => {
    dingtalk.refuseGateway = 403;
    const c = named(await runDoctor(config({ mode: 'stream' })), '钉钉 Stream');
    expect(c.ok).toBe(false);
    expect(c.detail).toContain('gateway.refused');
    expect(c.fix).toContain('Stream 模式');
  });

  it('http mode: registers publicUrl + /dingtalk/card as the card callback → ✓', async () => {
    const regs = dingtalk.registers.length;
    const c = named(await runDoctor(config()), '钉钉卡片回调');
    expect(c).toMatchObject({ ok: true, level: 'ok' });
    expect(dingtalk.registers.slice(regs).at(-1)!.body).toMatchObject({ callbackUrl: 'https://bot.example.com/dingtalk/card', callbackRouteKey: 'groupflow' });
    expect(c.detail).toContain('https://bot.example.com/dingtalk/events');
  });

  it('http mode without server.publicUrl → ✗: card clicks could not reach the bot', async () => {
    const regs = dingtalk.registers.length;
    const c = named(await runDoctor(config({ publicUrl: null })), '钉钉卡片回调');
    expect(c.ok).toBe(false);
    expect(c.fix).toContain('server.publicUrl');
    expect(dingtalk.registers.length).toBe(regs);
  });

  it('http mode with a plain-http publicUrl is a warning', async () => {
    const c = named(await runDoctor(config({ publicUrl: 'http://bot.example.com' })), '钉钉卡片回调');
    expect(c).toMatchObject({ ok: true, level: 'warn' });
    expect(c.detail).toContain('https');
  });

  it('http mode: a refused registration → ✗ with the vendor code', async () => {
    dingtalk.failNext('register', 403, { code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied', message: '没有调用该接口的权限', requestid: 'r5' });
    const c = named(await runDoctor(config()), '钉钉卡片回调');
    expect(c.ok).toBe(false);
    expect(c.detail).toContain('AccessTokenPermissionDenied');
    expect(c.fix).toContain('权限管理');
  });
});
