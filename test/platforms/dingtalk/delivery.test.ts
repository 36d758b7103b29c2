// Outbound: access tokens, which path each message takes, and failures (throttling and server
// errors retried through the outbox, others failed with the vendor's code and message).

import { idempotencyKey } from '../../../src/scheduler/dispatcher.ts';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/domain/clock.ts';
import { classify, DingtalkApi } from '../../../src/platforms/dingtalk/dingtalk.api.ts';
import { PlatformError } from '../../../src/platforms/platform.ts';
import { FakeDingtalk } from '../../fakes/dingtalk.fake.ts';
import type { ApiErrorBody } from '../../../src/platforms/dingtalk/dingtalk.types.ts';
import { A, B, C, CID, CLIENT_ID, type Harness, SECRET, count, makeHarness, say } from './harness.ts';

let fake: FakeDingtalk;

beforeEach(async () => {
  fake = await new FakeDingtalk().start();
});

afterEach(async () => {
  await fake.stop();
});

const RAISE = '/需求 接口联调 协作:@李四 @王五 截止:周五';

describe('access token', () => {
  const api = (clock: FakeClock, secret = SECRET) =>
    new DingtalkApi({ apiBase: fake.url, clientId: CLIENT_ID, clientSecret: secret, clock, log: pino({ level: 'silent' }) });

  it('is fetched once for concurrent callers and cached', async () => {
    const clock = new FakeClock(new Date('2026-11-23T02:00:00Z'));
    const a = api(clock);
    fake.tokenDelayMs = 30;
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => a.accessToken()));
    expect(new Set(tokens)).toEqual(new Set(['tok-1']));
    expect(fake.tokenRequests).toEqual([{ appKey: CLIENT_ID, appSecret: SECRET }]);
    expect(await a.accessToken()).toBe('tok-1');
    expect(fake.tokenRequests).toHaveLength(1);
  });

  it('is refreshed before it expires', async () => {
    const clock = new FakeClock(new Date('2026-11-23T02:00:00Z'));
    const a = api(clock);
    fake.expireIn = 600;
    await a.accessToken();
    clock.advance(4 * 60_000); // 6 min left: still used
    expect(await a.accessToken()).toBe('tok-1');
    clock.advance(60_000 + 1); // under 5 min left: refreshed
    expect(await a.accessToken()).toBe('tok-2');
    expect(fake.tokenRequests).toHaveLength(2);
  });

  it('is refreshed once when DingTalk rejects it, and the call repeated', async () => {
    const clock = new FakeClock(new Date('2026-11-23T02:00:00Z'));
    const a = api(clock);
    await a.accessToken();
    fake.revokeTokens();
    const key = await a.groupSend({ robotCode: CLIENT_ID, openConversationId: CID, msgKey: 'sampleText', msgParam: { content: 'hi' } });
    expect(key).toBe('pqk-1');
    expect(fake.tokenRequests).toHaveLength(2);
    expect(fake.groupSends[0]!.token).toBe('tok-2');
  });

  it('wrong credentials are a non-retryable error with the vendor code', async () => {
    const a = api(new FakeClock(new Date()), 'wrong');
    const err = await a.accessToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ platform: 'dingtalk', code: 'invalidClientIdOrSecret', retryable: false });
  });
});

describe('error classification', () => {
  it.each([
    [403, { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: 'qps' }, null, true, 1000],
    [400, { code: 'send.too.fast', message: 'too fast' }, null, true, 1000],
    [400, { code: 'too.many.group' }, null, true, 1000],
    [503, { code: 'ServiceUnavailable' }, null, true, undefined],
    [500, {}, null, true, undefined],
    [429, { code: 'Throttling' }, '7', true, 7000],
    [403, { status: 1111, punish: 'deny' }, null, true, 300_000],
    [400, { code: 'invalidParameter.robotCode.auth', message: 'robotCode 和 AppKey 不匹配' }, null, false, undefined],
    [400, { code: 'invalid.openConversationId' }, null, false, undefined],
    [403, { code: 'Forbidden.AccessDenied.ApiCountLimitForOrg' }, null, false, undefined],
  ])('HTTP %i %j → retryable %s', (status, b, retryAfter, retryable, after) => {
    const body = b as ApiErrorBody;
    const e = classify(status, body, retryAfter, 'test');
    expect(e.retryable).toBe(retryable);
    expect(e.retryAfterMs).toBe(after);
    expect(e.code).toBe(body.code ?? (body.punish ? 'punish' : `http_${status}`));
  });
});

describe('delivery through the outbox', () => {
  let h: Harness;
  afterEach(async () => {
    await h.rt.close();
  });

  const rows = () =>
    h.rt.db.$client.prepare(`select id, status, attempts, last_error as lastError from outbox order by id`).all() as Array<{
      id: number;
      status: string;
      attempts: number;
      lastError: string | null;
    }>;

  it('a throttled card create is retried after the backoff and delivered once; later rows wait', async () => {
    h = await makeHarness(fake);
    fake.failNext('cardCreate', 403, { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: '应用的接口调用QPS超限' });
    await say(h, A, RAISE, { at: [B, C] });
    expect(fake.failed).toEqual([{ route: 'cardCreate', status: 403 }]);
    expect(fake.cardCreates).toHaveLength(0);
    expect(rows().map((r) => [r.status, r.attempts])).toEqual([
      ['sent', 1],
      ['pending', 1],
      ['pending', 0],
    ]);
    expect(rows()[1]!.lastError).toContain('QpsLimitForAppkeyAndApi');
    // Not before the retry time…
    await h.rt.dispatcher.drain();
    expect(fake.cardCreates).toHaveLength(0);
    // …but after it.
    h.clock.advance(1500);
    await h.rt.dispatcher.drain();
    expect(fake.cardCreates.map((c) => c.body.outTrackId)).toEqual(
      (h.rt.db.$client.prepare('select id, created_at as createdAt from outbox where id in (2, 3) order by id').all() as Array<{ id: number; createdAt: number }>).map(idempotencyKey),
    );
    expect(rows().map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    await h.rt.dispatcher.drain();
    expect(fake.cardCreates).toHaveLength(2);
  });

  it('a throttled or failing group send is retried and delivered once', async () => {
    h = await makeHarness(fake);
    fake.failNext('groupSend', 400, { code: 'send.too.fast', message: '发送太快' });
    fake.failNext('groupSend', 502, { code: 'BadGateway' });
    // The webhook has (almost) expired: the reply must take the OpenAPI.
    await say(h, A, '/帮助', { sessionTtlMs: 30_000 });
    expect(fake.groupSends).toHaveLength(0);
    h.clock.advance(1500);
    await h.rt.dispatcher.drain();
    expect(fake.groupSends).toHaveLength(0);
    h.clock.advance(5 * 60_000);
    await h.rt.dispatcher.drain();
    expect(fake.failed.map((f) => f.status)).toEqual([400, 502]);
    expect(fake.groupSends).toHaveLength(1);
    const sent = fake.groupSends[0]!.body;
    expect(sent).toMatchObject({ robotCode: CLIENT_ID, openConversationId: CID, msgKey: 'sampleText' });
    expect(typeof sent.msgParam).toBe('string');
    expect(JSON.parse(sent.msgParam)).toEqual({ content: expect.stringContaining('/需求') });
    expect(rows().map((r) => [r.status, r.attempts])).toEqual([['sent', 3]]);
    expect(fake.sessionSends).toHaveLength(0);
  });

  it('other errors fail the row with the platform code and message, without retrying', async () => {
    h = await makeHarness(fake);
    fake.failNext('groupSend', 400, { code: 'invalidParameter.robotCode.auth', message: 'robotCode 与 AppKey 不匹配', requestid: 'r-9' });
    await say(h, A, '/帮助', { sessionTtlMs: 0 });
    h.clock.advance(10 * 60_000);
    await h.rt.dispatcher.drain();
    const [row] = rows();
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.lastError).toContain('invalidParameter.robotCode.auth');
    expect(row!.lastError).toContain('robotCode 与 AppKey 不匹配');
    expect(fake.failed).toHaveLength(1);
  });

  it('an expired session webhook (300001) falls back: @-text as a card with atUserIds, plain text by group send', async () => {
    h = await makeHarness(fake);
    fake.expireSession('s-u_a');
    await say(h, A, RAISE, { at: [B, C] });
    expect(fake.sessionSends).toHaveLength(0);
    // The reply @-s B and C: it becomes a notice card delivered with its @ list.
    const notice = fake.cardCreates.find((c) => c.body.cardData.cardParamMap.body?.includes('已发起需求'))!;
    expect(notice.body.imGroupOpenDeliverModel.atUserIds).toEqual({ u_b: '李四', u_c: '王五' });
    expect(notice.body.cardData.cardParamMap.body).toContain('<a atId=u_b>李四</a>');
    expect(fake.cardCreates).toHaveLength(3);
    // The webhook is forgotten: the next reply without @ goes by group send at once.
    await say(h, A, '/帮助', { session: 's-u_a', sessionTtlMs: 0 });
    expect(fake.groupSends).toHaveLength(1);
    expect(count(h, 'outbox')).toBe(rows().filter((r) => r.status === 'sent').length);
  });

  it('without a card template, cards go as markdown by group send (no buttons)', async () => {
    h = await makeHarness(fake, { cardTemplateId: '' });
    await say(h, A, RAISE, { at: [B, C] });
    const md = fake.groupSends.filter((g) => g.body.msgKey === 'sampleMarkdown');
    expect(md).toHaveLength(2);
    const param = JSON.parse(md[0]!.body.msgParam) as { title: string; text: string };
    expect(param.title).toContain('需求确认');
    expect(param.text).toContain('@李四');
    expect(fake.cardCreates).toHaveLength(0);
  });

  it('HTTP mode registers the card callback URL on start when server.publicUrl is set', async () => {
    h = await makeHarness(fake, { publicUrl: 'https://bot.example.com/' });
    await h.module.platform.start!();
    expect(fake.registers.map((r) => r.body)).toEqual([
      { callbackRouteKey: 'groupflow', callbackUrl: 'https://bot.example.com/dingtalk/card', apiSecret: SECRET, forceUpdate: true },
    ]);
  });
});
