// Replayed card callbacks over DingTalk, as an attacker (or a flaky network) would send them:
// the exact signed HTTP callback sent again later, and the same callback pushed twice over
// Stream. Each must act once and be answered with a normal, harmless notice.

import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallbackGate, WebhookBook } from '../../../src/platforms/dingtalk/dingtalk.outbound.ts';
import { onCardFrame } from '../../../src/platforms/dingtalk/dingtalk.stream.ts';
import { FakeDingtalk } from '../../fakes/dingtalk.fake.ts';
import { A, B, C, type Harness, cardCallback, cardFor, cardSign, makeHarness, say, settle, slotParams } from './harness.ts';

const RAISE = '/需求 接口联调 协作:@李四 @王五 截止:周五 标准:联调通过';

let fake: FakeDingtalk;
let h: Harness;
afterEach(async () => {
  await h.rt.close();
  await fake.stop();
});

const objections = () => h.rt.repo.history(1).filter((x) => x.action === 'object');
/** Announcements of an objection written to the outbox (what goes out to the group). */
const announced = () =>
  (h.rt.db.$client.prepare(`select body from outbox where json_extract(body, '$.type') = 'text'`).all() as Array<{ body: string }>).filter((r) => r.body.includes('提出异议：')).length;

/** B's objection on B's card, as the exact callback body DingTalk would send. */
function objection(): string {
  const bCard = cardFor(h, '需求确认', B);
  return JSON.stringify(cardCallback(bCard, B, slotParams(fake.cardState(bCard)!, 'form', { reason: '接口文档还没定稿' })));
}

describe('replayed DingTalk card callbacks (HTTP)', () => {
  beforeEach(async () => {
    fake = await new FakeDingtalk().start();
    h = await makeHarness(fake);
  });

  it('the exact signed callback sent again 11 s later acts once', async () => {
    await say(h, A, RAISE, { at: [B, C] });
    const payload = objection();
    const ts = String(h.clock.now().getTime());
    const headers = { 'content-type': 'application/json', 'x-ddpaas-signature-timestamp': ts, 'x-ddpaas-signature': cardSign(ts) };
    const first = await h.rt.app.inject({ method: 'POST', url: '/dingtalk/card', headers, payload });
    await settle(h);
    expect(first.json().userPrivateData.cardParamMap.notice).toContain('提出异议成功');
    expect(objections()).toHaveLength(1);
    expect(announced()).toBe(1);

    h.clock.advance(11_000);
    const again = await h.rt.app.inject({ method: 'POST', url: '/dingtalk/card', headers, payload });
    await settle(h);
    expect(again.statusCode).toBe(200);
    expect(again.json().userPrivateData.cardParamMap.notice).toContain('已处理');
    expect(objections()).toHaveLength(1);
    expect(announced()).toBe(1);
  });
});

describe('replayed DingTalk card callbacks (Stream)', () => {
  beforeEach(async () => {
    fake = await new FakeDingtalk().start();
    h = await makeHarness(fake, { mode: 'stream' });
  });

  it('the same callback pushed again acts once', async () => {
    await say(h, A, RAISE, { at: [B, C] });
    const deps = { core: h.core, webhooks: new WebhookBook(fake.url), gate: new CallbackGate(), log: pino({ level: 'silent' }) };
    const acks: Array<{ messageId: string; result: unknown }> = [];
    const acker = { socketCallBackResponse: (messageId: string, result: unknown) => void acks.push({ messageId, result }) };
    const data = objection();
    const frame = (messageId: string) => ({
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: { appId: 'app1', connectionId: 'conn1', contentType: 'application/json', messageId, time: String(h.clock.now().getTime()), topic: '/v1.0/card/instances/callback' },
      data,
    });
    onCardFrame(deps, acker, frame('c1'));
    await settle(h);
    h.clock.advance(11_000);
    // Pushed again under a new frame id, as after a reconnect.
    onCardFrame(deps, acker, frame('c2'));
    await settle(h);
    expect(acks.map((a) => a.messageId)).toEqual(['c1', 'c2']);
    expect(JSON.stringify(acks[1]!.result)).toContain('已处理');
    expect(objections()).toHaveLength(1);
    expect(announced()).toBe(1);
  });
});
