// One bot running both apps: an internal Feishu group linked with the supplier's DingTalk group.
// Each platform is its fake OpenAPI on 127.0.0.1; inbound requests are signed (and, for Feishu,
// encrypted) exactly as the platforms do, through the real routes.

import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { FakeClock } from '../../src/domain/clock.ts';
import { createDingtalk } from '../../src/platforms/dingtalk/index.ts';
import { createFeishu } from '../../src/platforms/feishu/index.ts';
import { createRuntime } from '../../src/runtime.ts';
import { FakeDingtalk } from '../fakes/dingtalk.fake.ts';
import { FakeFeishu } from '../fakes/feishu.fake.ts';
import { type Person as FeishuPerson, signedRequest, textMessage, type WireSecrets } from '../fakes/feishu.wire.ts';
import { CID, CLIENT_ID, click, type Harness, type Person, postEvent, robotMessage, SECRET, settle, TEMPLATE } from './dingtalk/harness.ts';

const FA: FeishuPerson = { openId: 'ou_alice', name: '张三' };
const FBOT: FeishuPerson = { openId: 'ou_bot', name: 'Groupflow' };
const FCHAT = 'oc_group1';
/** The supplier's contact, in the DingTalk group only. */
const E: Person = { staffId: 'u_e', nick: '陈经理', dingtalkId: '$:LWCP_v1:$u_e==', id: 'dingtalk:u_e' };

let ff: FakeFeishu;
let h: Harness;
let secrets: WireSecrets;

beforeEach(async () => {
  ff = await new FakeFeishu().start();
  const df = await new FakeDingtalk().start();
  secrets = { encryptKey: 'ek-linked-1', verificationToken: 'vt-linked-1', appId: 'cli_linked000001' };
  const clock = new FakeClock(new Date('2026-11-23T10:00:00+08:00'));
  const config = parseConfig({
    log: { level: 'silent' },
    database: { file: ':memory:' },
    outbox: { rateLimits: { dingtalk: { appPerSecond: 10_000, chatPerMinute: 1_000_000 } } },
    platforms: {
      sandbox: { enabled: false },
      feishu: { enabled: true, mode: 'webhook', appId: secrets.appId, appSecret: 'app-secret-x', encryptKey: secrets.encryptKey, verificationToken: secrets.verificationToken, domain: ff.url },
      dingtalk: { enabled: true, mode: 'http', clientId: CLIENT_ID, clientSecret: SECRET, robotCode: CLIENT_ID, cardTemplateId: TEMPLATE, apiBase: df.url, oapiBase: df.url },
    },
  });
  const rt = await createRuntime(config, {
    clock,
    log: pino({ level: 'silent' }),
    extraModules: [(core) => createFeishu(core, { timeoutMs: 2000, readyTimeoutMs: 3000 }), (core) => createDingtalk(core, {})],
  });
  h = { rt, core: undefined as never, module: undefined as never, clock, fake: df, msgSeq: 0 };
});

afterEach(async () => {
  await h.rt.close();
  await h.fake.stop();
  await ff.stop();
});

/** 张三 says `text` in the Feishu group, signed and encrypted as Feishu sends it. */
async function feishuSays(text: string): Promise<void> {
  h.clock.advance(1000);
  const r = signedRequest(textMessage(secrets, h.clock.now(), { chatId: FCHAT, sender: FA, text: `@{ou_bot} ${text}`, people: [FA, FBOT] }), secrets, h.clock.now());
  const res = await h.rt.app.inject({ method: 'POST', url: '/feishu/events', payload: r.payload, headers: r.headers });
  expect(res.statusCode).toBe(200);
  await settle(h);
}

/** 陈经理 says `text` in the DingTalk group, signed as DingTalk sends it. */
async function dingtalkSays(text: string): Promise<void> {
  h.clock.advance(1000);
  const res = await postEvent(h, robotMessage(h, E, text));
  expect(res.statusCode).toBe(200);
  await settle(h);
}

const feishuTexts = () => ff.sent.filter((s) => s.msgType === 'text').map((s) => (JSON.parse(s.content) as { text: string }).text);
const dingtalkSaid = () => [...h.fake.sessionSends.map((s) => s.body.text?.content ?? ''), ...h.fake.groupSends.map((s) => s.body.msgParam)].join('\n');

describe('an internal Feishu group linked with the supplier’s DingTalk group', () => {
  it('the DingTalk contact gets the confirmation card in the DingTalk group with a real @, and the click there moves the request; the reminder goes there too', async () => {
    await feishuSays('/关联');
    const code = /关联码：([0-9A-Z]{6})/.exec(feishuTexts().join('\n'))?.[1];
    expect(code).toBeDefined();
    await dingtalkSays(`/关联 ${code} 外部`);
    expect(dingtalkSaid()).toContain('✅ 本群已关联到');
    expect(feishuTexts().join('\n')).toContain('（钉钉·外部）');

    // Named by typing his name in Feishu: he is a member of the linked DingTalk group.
    const feishuCardsBefore = ff.sent.filter((s) => s.msgType === 'interactive').length;
    await feishuSays('/需求 芯片备货 to:@陈经理 截止:2026-12-04 类型:供应商 供应商:B电子');
    expect(h.rt.repo.getItem(1)?.state).toBe('pending');
    const created = h.fake.cardCreates.find((c) => c.body.cardData.cardParamMap.title?.includes('需求确认'));
    expect(created).toBeDefined();
    expect(JSON.stringify(created!.body)).toContain(CID);
    expect(Object.keys(created!.body.imGroupOpenDeliverModel.atUserIds ?? {})).toEqual([E.staffId]);
    // Feishu got the request card, not the DingTalk contact's confirmation card.
    const feishuCards = ff.sent.filter((s) => s.msgType === 'interactive').slice(feishuCardsBefore).map((s) => s.content);
    expect(feishuCards.some((c) => c.includes('需求确认') && c.includes('确认对接'))).toBe(false);

    const res = await click(h, created!.body.outTrackId, E, 'btn1');
    expect(res.status).toBe(200);
    expect(h.rt.repo.getItem(1)?.state).toBe('active');

    // His next clock: a question from Feishu that he lets run out.
    await feishuSays('/反馈 #1 @陈经理 交期能否提前到周三？');
    const before = h.fake.cardCreates.length;
    h.clock.set('2026-11-24T18:30:00+08:00');
    h.rt.scheduler.tick();
    await settle(h);
    const reminder = h.fake.cardCreates.slice(before).find((c) => JSON.stringify(c.body).includes('协作提醒'));
    expect(reminder).toBeDefined();
    expect(JSON.stringify(reminder!.body)).toContain(CID);
    expect(Object.keys(reminder!.body.imGroupOpenDeliverModel.atUserIds ?? {})).toContain(E.staffId);
    // The Feishu people it names are text there, never a DingTalk @ of a Feishu id.
    expect(JSON.stringify(reminder!.body)).not.toContain('feishu:');
  });
});
