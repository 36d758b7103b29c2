import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outbound } from '../../../src/domain/chat.ts';
import { FeishuApi, sdkLogger } from '../../../src/platforms/feishu/feishu.api.ts';
import { PlatformError } from '../../../src/platforms/platform.ts';
import { FakeFeishu } from '../../fakes/feishu.fake.ts';

const log = pino({ level: 'silent' });
const text = (over: Partial<Outbound> = {}): Outbound => ({
  platform: 'feishu',
  chatId: 'feishu:oc_g1',
  body: { type: 'text', text: '你好 <@feishu:ou_b>', mentions: [{ id: 'feishu:ou_b', name: '李四' }] },
  ...over,
});
const card = (update = false): Outbound => ({
  platform: 'feishu',
  chatId: 'feishu:oc_g1',
  body: {
    type: 'card',
    cardKey: 'item:1:confirm:b',
    update,
    card: { header: { title: 't', color: 'blue' }, fields: [], markdown: ['m'], buttons: [], mentions: [], summary: 's' },
  },
});

let fake: FakeFeishu;
let appSeq = 0;
const api = (timeoutMs?: number) =>
  new FeishuApi({ appId: `cli_a1b2c3d4e5f6${String(++appSeq).padStart(4, '0')}`, appSecret: 'secret-x', domain: fake.url, log, timeoutMs });

async function failure(p: Promise<unknown>): Promise<PlatformError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PlatformError);
    return e as PlatformError;
  }
  throw new Error('expected a failure');
}

beforeEach(async () => {
  fake = await new FakeFeishu().start();
});
afterEach(async () => {
  await fake.stop();
});

describe('FeishuApi.send', () => {
  it('gets a tenant token once, then creates in the chat with chat_id, msg_type, JSON-string content and uuid', async () => {
    const a = api();
    const r = await a.send(text(), { idempotencyKey: 'gf-1' });
    await a.send(card(), { idempotencyKey: 'gf-2' });
    expect(fake.tokenRequests).toEqual([{ app_id: a.client.appId, app_secret: 'secret-x' }]);
    expect(r.platformMessageId).toBe(fake.sent[0]!.messageId);
    expect(fake.sent.map((s) => [s.kind, s.target, s.receiveIdType, s.msgType, s.uuid])).toEqual([
      ['create', 'oc_g1', 'chat_id', 'text', 'gf-1'],
      ['create', 'oc_g1', 'chat_id', 'interactive', 'gf-2'],
    ]);
    expect(JSON.parse(fake.sent[0]!.content)).toEqual({ text: '你好 <at user_id="ou_b">李四</at>' });
    expect(JSON.parse(fake.sent[1]!.content).schema).toBe('2.0');
    const msgReq = fake.requests.find((q) => q.path === '/open-apis/im/v1/messages')!;
    expect(msgReq.headers.authorization).toMatch(/^Bearer t-fake-/);
  });

  it('replies to a message when replyTo is set, and falls back to the chat when it is gone', async () => {
    const a = api();
    await a.send(text({ replyTo: 'om_cmd' }), { idempotencyKey: 'gf-3' });
    expect(fake.sent[0]).toMatchObject({ kind: 'reply', target: 'om_cmd', msgType: 'text', uuid: 'gf-3' });
    fake.failNext({ op: 'reply', status: 400, body: { code: 230011, msg: 'The message was withdrawn.' } });
    await a.send(text({ replyTo: 'om_gone' }), { idempotencyKey: 'gf-4' });
    expect(fake.sent[1]).toMatchObject({ kind: 'create', target: 'oc_g1', uuid: 'gf-4' });
  });

  it('PATCHes a card in place when updateMessageId is given', async () => {
    const a = api();
    const first = await a.send(card(), { idempotencyKey: 'gf-5' });
    const r = await a.send(card(true), { idempotencyKey: 'gf-6', updateMessageId: first.platformMessageId });
    expect(r.platformMessageId).toBe(first.platformMessageId);
    expect(fake.patches).toHaveLength(1);
    expect(fake.patches[0]!.messageId).toBe(first.platformMessageId);
    expect(JSON.parse(fake.patches[0]!.content).schema).toBe('2.0');
    expect(fake.sent).toHaveLength(1);
  });

  it('429 with x-ogw-ratelimit-reset → retryable, retryAfterMs from the header', async () => {
    fake.failNext({ op: 'create', status: 429, body: { code: 99991400, msg: 'request trigger frequency limit' }, headers: { 'x-ogw-ratelimit-reset': '3' } });
    const e = await failure(api().send(text(), { idempotencyKey: 'gf-7' }));
    expect(e).toMatchObject({ platform: 'feishu', code: '99991400', retryable: true, retryAfterMs: 3000 });
  });

  it('IM rate limit 230020 and 5xx → retryable', async () => {
    const a = api();
    fake.failNext({ op: 'create', status: 400, body: { code: 230020, msg: 'rate limited' } });
    expect(await failure(a.send(text(), { idempotencyKey: 'gf-8' }))).toMatchObject({ code: '230020', retryable: true });
    fake.failNext({ op: 'create', status: 503, body: { code: 1, msg: 'unavailable' } });
    expect(await failure(a.send(text(), { idempotencyKey: 'gf-9' }))).toMatchObject({ retryable: true });
    fake.failNext({ op: 'create', status: 502, body: {} });
    expect(await failure(a.send(text(), { idempotencyKey: 'gf-9b' }))).toMatchObject({ code: 'http_502', retryable: true });
  });

  it('HTTP 200 with a non-zero code is a failure, not retryable, with the vendor code and message', async () => {
    fake.failNext({ op: 'create', status: 200, body: { code: 230002, msg: 'Bot/User can NOT be out of the chat.' } });
    const e = await failure(api().send(text(), { idempotencyKey: 'gf-10' }));
    expect(e).toMatchObject({ code: '230002', retryable: false });
    expect(e.message).toContain('Bot/User can NOT be out of the chat.');
  });

  it('a hung call times out as retryable', async () => {
    fake.failNext({ op: 'create', status: 0, hang: true });
    const e = await failure(api(300).send(text(), { idempotencyKey: 'gf-11' }));
    expect(e.retryable).toBe(true);
  });

  it('a revoked tenant token is dropped and the call retried once with a new one', async () => {
    const a = api();
    await a.send(text(), { idempotencyKey: 'gf-12' });
    fake.revokeTokens();
    await a.send(text(), { idempotencyKey: 'gf-13' });
    expect(fake.tokenRequests).toHaveLength(2);
    expect(fake.sent.map((s) => s.uuid)).toEqual(['gf-12', 'gf-13']);
  });

  it('a bad app secret (token endpoint code) is a non-retryable failure', async () => {
    fake.failNext({ op: 'token', status: 200, body: { code: 10014, msg: 'app secret invalid' } });
    const e = await failure(api().send(text(), { idempotencyKey: 'gf-14' }));
    expect(e).toMatchObject({ code: 'token', retryable: false });
    expect(e.message).toContain('10014');
  });

  it('clients with the same App ID on different hosts do not share tokens', async () => {
    const other = await new FakeFeishu().start();
    try {
      const a = new FeishuApi({ appId: 'cli_a1b2c3d4e5f6ffff', appSecret: 's', domain: fake.url, log });
      const b = new FeishuApi({ appId: 'cli_a1b2c3d4e5f6ffff', appSecret: 's', domain: other.url, log });
      await a.send(text(), { idempotencyKey: 'gf-15' });
      await b.send(text(), { idempotencyKey: 'gf-16' });
      expect(fake.tokenRequests).toHaveLength(1);
      expect(other.tokenRequests).toHaveLength(1);
      expect(other.sent).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });
});

describe('FeishuApi.botInfo', () => {
  it('reads the bot open_id', async () => {
    fake.bot = { open_id: 'ou_mybot', app_name: '协作助手' };
    expect(await api().botInfo()).toEqual({ openId: 'ou_mybot', name: '协作助手' });
  });

  it('fails without an open_id', async () => {
    fake.failNext({ op: 'bot_info', status: 200, body: { code: 0, msg: 'ok', bot: {} } });
    expect(await failure(api().botInfo())).toMatchObject({ code: 'bot_info' });
  });
});

describe('the SDK logger bridge', () => {
  function capture() {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'trace' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    return { lines, bridge: sdkLogger(logger) };
  }

  it('never passes on request configs, headers or bodies (tokens, the app secret)', async () => {
    const { lines, bridge } = capture();
    const axiosError = Object.assign(new Error('Request failed with status code 400'), {
      isAxiosError: true,
      config: { headers: { Authorization: 'Bearer t-secret-token' }, data: '{"app_id":"cli_x","app_secret":"very-secret"}' },
      response: { status: 400, data: { code: 99991663, msg: 'invalid token' } },
    });
    // The SDK's LoggerProxy passes its arguments as one array.
    await bridge.error([axiosError]);
    await bridge.error([{ message: 'x', config: { data: { app_secret: 'very-secret' } } }, { code: 1, msg: 'm' }]);
    const out = JSON.stringify(lines);
    expect(out).not.toContain('t-secret-token');
    expect(out).not.toContain('very-secret');
    expect(out).toContain('Request failed with status code 400');
    expect(lines.every((l) => l.level === 20)).toBe(true); // debug: our own code reports API failures
  });

  it('redacts the long connection URL ticket, keeps connection state visible', async () => {
    const { lines, bridge } = capture();
    await bridge.debug(['[ws]', 'get connect config success, ws url: wss://msg-frontier.feishu.cn/ws/v2?fpid=493&device_id=7&access_key=abc123&ticket=tkt-xyz']);
    await bridge.error(['[ws]', 'connect failed']);
    const out = JSON.stringify(lines);
    expect(out).not.toContain('tkt-xyz');
    expect(out).not.toContain('abc123');
    expect(out).toContain('wss://msg-frontier.feishu.cn/ws/v2?[redacted]');
    expect(lines.at(-1)).toMatchObject({ level: 40, msg: '[ws] connect failed' });
  });
});
