// The public HTTP interface: refusals (bad sign, stale timestamp, malformed body) answer the
// right status and change nothing; a redelivered message acts once.

import { describe, expect, it } from 'vitest';
import type { FakeDingtalk } from '../../fakes/dingtalk.fake.ts';
import {
  A,
  B,
  C,
  type Harness,
  harnessEachTest,
  cardCallback,
  cardSign,
  count,
  postEvent,
  robotMessage,
  robotSign,
  say,
  settle,
} from './harness.ts';

let fake: FakeDingtalk;
let h: Harness;

harnessEachTest((f, x) => {
  fake = f;
  h = x;
});

const RAISE = '/需求 接口联调 协作:@李四 @王五 截止:周五';

function nothingChanged(): void {
  expect(count(h, 'inbound_events')).toBe(0);
  expect(count(h, 'items')).toBe(0);
  expect(count(h, 'outbox')).toBe(0);
  expect(fake.sessionSends).toHaveLength(0);
  expect(fake.groupSends).toHaveLength(0);
  expect(fake.cardCreates).toHaveLength(0);
}

describe('POST /dingtalk/events', () => {
  it('refuses a wrong signature with 401 and no details', async () => {
    const body = robotMessage(h, A, RAISE, { at: [B, C] });
    const ts = String(h.clock.now().getTime());
    const res = await postEvent(h, body, { timestamp: ts, sign: robotSign(ts, 'not-the-secret') });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'unauthorized' });
    await settle(h);
    nothingChanged();
  });

  it('refuses missing headers and a URL-encoded sign with 401', async () => {
    const body = JSON.stringify(robotMessage(h, A, RAISE, { at: [B, C] }));
    const none = await h.rt.app.inject({ method: 'POST', url: '/dingtalk/events', headers: { 'content-type': 'application/json' }, payload: body });
    expect(none.statusCode).toBe(401);
    const ts = String(h.clock.now().getTime());
    const encoded = await postEvent(h, undefined, { raw: body, timestamp: ts, sign: encodeURIComponent(robotSign(ts)) });
    expect(encoded.statusCode).toBe(401);
    await settle(h);
    nothingChanged();
  });

  it('refuses a timestamp outside the 1 h window with 403; accepts the edge', async () => {
    const now = h.clock.now().getTime();
    const stale = await postEvent(h, robotMessage(h, A, RAISE, { at: [B, C] }), { timestamp: String(now - 3_600_001) });
    expect(stale.statusCode).toBe(403);
    expect(stale.body).not.toContain('stale');
    const future = await postEvent(h, robotMessage(h, A, RAISE, { at: [B, C] }), { timestamp: String(now + 3_600_001) });
    expect(future.statusCode).toBe(403);
    await settle(h);
    nothingChanged();
    const edge = await postEvent(h, robotMessage(h, A, RAISE, { at: [B, C] }), { timestamp: String(now - 3_600_000) });
    expect(edge.statusCode).toBe(200);
    await settle(h);
    expect(count(h, 'items')).toBe(1);
  });

  it('refuses a malformed body (after authentication) with 400', async () => {
    for (const raw of ['{not json', '[]', '"text"', JSON.stringify({ msgtype: 'text', text: { content: 'x' } }), '']) {
      const res = await postEvent(h, undefined, { raw });
      expect(res.statusCode, raw).toBe(400);
    }
    await settle(h);
    nothingChanged();
  });

  it('a signed body whose fields have the wrong shape (atUsers entries, sender, rich text) is refused with 400 before the ack', async () => {
    const base = robotMessage(h, A, RAISE, { at: [B, C] });
    const bad: Array<Record<string, unknown>> = [
      { atUsers: [null, 5, { dingtalkId: 7 }] },
      { atUsers: [{ dingtalkId: B.dingtalkId, staffId: 42 }] },
      { atUsers: [null] },
      { atUsers: 'x' },
      { atUsers: { dingtalkId: B.dingtalkId } },
      { senderStaffId: 12345 },
      { senderNick: ['张三'] },
      { chatbotUserId: {} },
      { conversationTitle: 7 },
      { msgtype: 'richText', text: undefined, content: { richText: [null, { text: 'x' }] } },
      { msgtype: 'richText', text: undefined, content: { richText: 'x' } },
    ];
    for (const [i, patch] of bad.entries()) {
      const res = await postEvent(h, { ...base, msgId: `bad${i}==`, ...patch });
      expect(res.statusCode, JSON.stringify(patch)).toBe(400);
    }
    await settle(h);
    nothingChanged();
    // The same message well-formed is accepted and acted on.
    expect((await postEvent(h, base)).statusCode).toBe(200);
    await settle(h);
    expect(count(h, 'items')).toBe(1);
  });

  it('a malformed body with a bad signature is a 401, not a parse error', async () => {
    const res = await postEvent(h, undefined, { raw: '{not json', sign: 'AAAA' });
    expect(res.statusCode).toBe(401);
  });

  it('acknowledges at once, and a redelivered message acts once', async () => {
    const body = robotMessage(h, A, RAISE, { at: [B, C], msgId: 'msgDup==' });
    const first = await postEvent(h, body);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ msgtype: 'empty' });
    // The event is stored before the acknowledgement; the work has not run yet.
    expect(h.rt.db.$client.prepare(`select status from inbound_events`).all()).toEqual([{ status: 'pending' }]);
    expect(count(h, 'items')).toBe(0);
    // DingTalk retries (late ack), over HTTP or Stream, with a fresh signature.
    h.clock.advance(60_000);
    const again = await postEvent(h, body);
    expect(again.statusCode).toBe(200);
    await settle(h);
    expect(count(h, 'items')).toBe(1);
    expect(count(h, 'inbound_events')).toBe(1);
    expect(fake.cardCreates).toHaveLength(2);
    expect(fake.sessionSends.filter((s) => s.body.text?.content.includes('已发起需求'))).toHaveLength(1);
    // And once more after processing.
    await postEvent(h, body);
    await settle(h);
    expect(count(h, 'items')).toBe(1);
    expect(fake.cardCreates).toHaveLength(2);
  });

  it('ignores a message whose session webhook points outside oapiBase (unsigned body)', async () => {
    const body = { ...robotMessage(h, A, '/帮助'), sessionWebhook: 'https://evil.example/robot/sendBySession?session=x' };
    expect((await postEvent(h, body)).statusCode).toBe(200);
    await settle(h);
    // The help reply went out through the OpenAPI instead of the forged URL.
    expect(fake.sessionSends).toHaveLength(0);
    expect(fake.groupSends.length).toBeGreaterThan(0);
  });
});

describe('POST /dingtalk/card', () => {
  async function postCard(body: unknown, o: { ts?: string; sign?: string; raw?: string } = {}) {
    const ts = o.ts ?? String(h.clock.now().getTime());
    return h.rt.app.inject({
      method: 'POST',
      url: '/dingtalk/card',
      headers: { 'content-type': 'application/json', 'x-ddpaas-signature-timestamp': ts, 'x-ddpaas-signature': o.sign ?? cardSign(ts) },
      payload: o.raw ?? JSON.stringify(body),
    });
  }

  it('refuses bad signatures (401), stale timestamps (403) and malformed bodies (400); nothing changes', async () => {
    await say(h, A, RAISE, { at: [B, C] });
    const outTrackId = fake.cardCreates[0]!.body.outTrackId;
    const click = cardCallback(outTrackId, B, { action: 'confirm', itemId: '1', version: '1', for: B.id });
    const ts = String(h.clock.now().getTime());
    const outbox = count(h, 'outbox');
    expect((await postCard(click, { sign: cardSign(ts, 'wrong') })).statusCode).toBe(401);
    expect((await postCard(click, { sign: robotSign(ts) })).statusCode).toBe(401);
    expect((await postCard(click, { ts: String(h.clock.now().getTime() - 3_600_001) })).statusCode).toBe(403);
    expect((await postCard(undefined, { raw: '{"outTrackId":' })).statusCode).toBe(400);
    expect((await postCard({ outTrackId, userId: 'u_b' })).statusCode).toBe(400);
    await settle(h);
    expect(h.rt.repo.getItem(1)!.state).toBe('pending');
    expect(h.rt.repo.people(1).map((p) => p.status)).toEqual(['pending', 'pending']);
    expect(count(h, 'outbox')).toBe(outbox);
    expect(fake.cardUpdates).toHaveLength(0);
  });

  it('answers a click on an unknown card with a private notice and changes nothing', async () => {
    await say(h, A, RAISE, { at: [B, C] });
    const res = await postCard(cardCallback('not-ours', B, { action: 'confirm', itemId: '1', version: '1', for: B.id }));
    expect(res.statusCode).toBe(200);
    expect(res.json().userPrivateData.cardParamMap.notice).toContain('失效');
    expect(h.rt.repo.getItem(1)!.state).toBe('pending');
  });

  it('a card can only act on its own item', async () => {
    await say(h, A, RAISE, { at: [B, C] });
    await say(h, A, '/需求 第二个 协作:@李四 截止:周五', { at: [B] });
    const firstCard = fake.cardCreates[0]!.body.outTrackId;
    const res = await postCard(cardCallback(firstCard, B, { action: 'confirm', itemId: '2', version: '1', for: B.id }));
    expect(res.json().userPrivateData.cardParamMap.notice).toContain('失效');
    expect(h.rt.repo.getItem(2)!.state).toBe('pending');
  });
});
