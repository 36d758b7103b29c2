// The webhook routes through the real app: URL verification, every refusal (with its status and
// no state change), de-duplication of retried events, and the card callback answer.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, B, BOT, CHAT, FeishuHarness } from '../../fakes/feishu.harness.ts';
import { encryptBody, sign, signedRequest, textMessage } from '../../fakes/feishu.wire.ts';

let h: FeishuHarness;
const NO_CHANGE = { items: 0, outbox: 0, events: 0 };

beforeEach(async () => {
  h = await FeishuHarness.create({ bodyLimit: 64 * 1024 });
});
afterEach(async () => {
  await h.close();
});

const help = () => textMessage(h.secrets, h.rt.clock.now(), { chatId: CHAT, sender: A, text: '@{ou_bot} /帮助', people: [A, BOT] });

describe('URL verification', () => {
  it('encrypted (as Feishu sends it when an Encrypt Key is set, unsigned): answers the challenge', async () => {
    const payload = encryptBody(JSON.stringify({ challenge: 'c-8e1f', token: h.secrets.verificationToken, type: 'url_verification' }), h.secrets.encryptKey);
    for (const path of ['/feishu/events', '/feishu/card']) {
      const r = await h.post(path, payload, { 'content-type': 'application/json' });
      expect(r.status).toBe(200);
      expect(r.json()).toEqual({ challenge: 'c-8e1f' });
    }
  });

  it('plain (app without an Encrypt Key): answers the challenge; a wrong token is 403', async () => {
    const plain = await FeishuHarness.create({ encryptKey: '' });
    try {
      const ok = await plain.post('/feishu/events', JSON.stringify({ challenge: 'c-1', token: plain.secrets.verificationToken, type: 'url_verification' }), {
        'content-type': 'application/json',
      });
      expect(ok.status).toBe(200);
      expect(ok.json()).toEqual({ challenge: 'c-1' });
      const bad = await plain.post('/feishu/events', JSON.stringify({ challenge: 'c-1', token: 'guess', type: 'url_verification' }), {
        'content-type': 'application/json',
      });
      expect(bad.status).toBe(403);
      expect(bad.body).not.toContain('c-1');
    } finally {
      await plain.close();
    }
  });

  it('a plaintext challenge is refused when an Encrypt Key is set', async () => {
    const r = await h.post('/feishu/events', JSON.stringify({ challenge: 'c', token: h.secrets.verificationToken, type: 'url_verification' }), {
      'content-type': 'application/json',
    });
    expect(r.status).toBe(401);
  });
});

describe('refused requests change nothing', () => {
  async function expectRefused(r: { status: number; body: string }, status: number) {
    expect(r.status).toBe(status);
    // No details for callers: just the class of error.
    expect(r.body).not.toMatch(/signature|token|timestamp|encrypt/i);
    await new Promise((res) => setTimeout(res, 20));
    expect(h.counts()).toEqual(NO_CHANGE);
    expect(h.fake.sent).toHaveLength(0);
  }

  it('forged signature → 401', async () => {
    const r = signedRequest(help(), h.secrets, h.rt.clock.now());
    await expectRefused(await h.post('/feishu/events', r.payload, { ...r.headers, 'x-lark-signature': 'a'.repeat(64) }), 401);
  });

  it('body altered after signing → 401', async () => {
    const r = signedRequest(help(), h.secrets, h.rt.clock.now());
    const other = signedRequest(help(), h.secrets, h.rt.clock.now());
    await expectRefused(await h.post('/feishu/events', other.payload, r.headers), 401);
  });

  it('wrong verification token → 403', async () => {
    const env = help();
    env.header.token = 'not-the-token';
    const r = signedRequest(env, h.secrets, h.rt.clock.now());
    await expectRefused(await h.post('/feishu/events', r.payload, r.headers), 403);
  });

  it('stale timestamp → 401 (a replay of a correctly signed request)', async () => {
    const r = signedRequest(help(), h.secrets, new Date(h.rt.clock.now().getTime() - 6 * 60_000));
    await expectRefused(await h.post('/feishu/events', r.payload, r.headers), 401);
  });

  it('unencrypted body while an Encrypt Key is set → 401, even if signed', async () => {
    const payload = JSON.stringify(help());
    const ts = String(Math.floor(h.rt.clock.now().getTime() / 1000));
    const headers = { 'content-type': 'application/json', 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': 'n1', 'x-lark-signature': sign(ts, 'n1', h.secrets.encryptKey, payload) };
    await expectRefused(await h.post('/feishu/events', payload, headers), 401);
  });

  it('malformed JSON → 400 (and on the card route)', async () => {
    await expectRefused(await h.post('/feishu/events', '{"encrypt": "abc', { 'content-type': 'application/json' }), 400);
    await expectRefused(await h.post('/feishu/card', 'not json at all', { 'content-type': 'text/plain' }), 400);
  });

  it('oversized body → 413', async () => {
    const big = JSON.stringify({ encrypt: 'A'.repeat(70 * 1024) });
    await expectRefused(await h.post('/feishu/events', big, { 'content-type': 'application/json' }), 413);
  });

  it('a signed card click with a wrong token → 403, and no toast', async () => {
    await h.says(A, '@{ou_bot} /需求 接口联调 协作:@{ou_bob} 截止:周五 标准:联调通过');
    const before = h.counts();
    const card = h.cardFor('需求确认', B);
    const r = signedRequest(
      {
        schema: '2.0',
        header: { event_id: 'ev-x', event_type: 'card.action.trigger', token: 'nope', app_id: h.secrets.appId, create_time: String(h.rt.clock.now().getTime()) },
        event: { operator: { open_id: B.openId }, action: { value: { itemId: 1, action: 'confirm', version: 1, for: `feishu:${B.openId}` } }, context: { open_message_id: card.messageId, open_chat_id: CHAT } },
      },
      h.secrets,
      h.rt.clock.now(),
    );
    const res = await h.post('/feishu/card', r.payload, r.headers);
    expect(res.status).toBe(403);
    expect(res.body).not.toContain('toast');
    expect(h.counts()).toEqual(before);
    expect(h.rt.repo.people(1).map((p) => p.status)).toEqual(['pending']);
  });
});

describe('the raw-body parser', () => {
  it('is scoped to the Feishu routes: other JSON routes still get parsed bodies', async () => {
    const both = await FeishuHarness.create({ sandbox: true });
    try {
      const r = await both.rt.app.inject({ method: 'POST', url: '/sandbox/api/users', payload: { name: '飞书测试员' } });
      expect(r.statusCode).toBe(201);
      expect((await both.post('/feishu/events', '{"x":1}', { 'content-type': 'application/json' })).status).toBe(401);
    } finally {
      await both.close();
    }
  });

  it('takes bodies without a content type, or with another one, as raw bytes too', async () => {
    const payload = encryptBody(JSON.stringify({ challenge: 'c-9', token: h.secrets.verificationToken, type: 'url_verification' }), h.secrets.encryptKey);
    const r = await h.rt.app.inject({ method: 'POST', url: '/feishu/events', payload: Buffer.from(payload) });
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ challenge: 'c-9' });
    const r2 = await h.post('/feishu/events', payload, { 'content-type': 'text/plain; charset=utf-8' });
    expect(r2.json()).toEqual({ challenge: 'c-9' });
  });
});

describe('events', () => {
  it('acknowledges with 200 after storing, then acts; a retried event (same event_id) acts once', async () => {
    const env = help();
    const first = await h.push('/feishu/events', env);
    expect(first.status).toBe(200);
    // Stored before the acknowledgement.
    expect(h.counts().events).toBeGreaterThan(0);
    await h.settle();
    const replies = h.fake.sent.length;
    expect(replies).toBe(1);
    expect(h.fake.sent[0]).toMatchObject({ kind: 'reply', target: env.event.message.message_id, msgType: 'text' });

    // Feishu retries after 15 s, with a fresh signature.
    h.rt.clock.advance(15_000);
    const again = await h.push('/feishu/events', env);
    expect(again.status).toBe(200);
    await h.settle();
    expect(h.fake.sent).toHaveLength(replies);
  });

  it('the same message under a new event_id also acts once (message_id de-duplication)', async () => {
    const env = help();
    await h.push('/feishu/events', env);
    await h.settle();
    const dup = structuredClone(env);
    dup.header.event_id = 'another-event-id';
    await h.push('/feishu/events', dup);
    await h.settle();
    expect(h.fake.sent).toHaveLength(1);
  });

  it('reads the bot identity once from /open-apis/bot/v3/info, with a tenant token', async () => {
    await h.push('/feishu/events', help());
    await h.push('/feishu/events', help());
    await h.settle();
    expect(h.fake.requests.filter((r) => r.path === '/open-apis/bot/v3/info')).toHaveLength(1);
    expect(h.fake.tokenRequests).toEqual([{ app_id: h.secrets.appId, app_secret: 'app-secret-x' }]);
  });

  it('the bot added to a group posts a welcome with /帮助 once', async () => {
    h.rt.repo.upsertUser(`feishu:${A.openId}`, A.name, 0);
    const r = await h.botJoins(A);
    expect(r.status).toBe(200);
    expect(h.texts()).toHaveLength(1);
    expect(h.texts()[0]).toContain('/帮助');
    expect(h.texts()[0]).toContain(`<at user_id="${A.openId}">张三</at>`);
    expect(h.fake.sent[0]).toMatchObject({ kind: 'create', target: CHAT, receiveIdType: 'chat_id' });
  });

  it('a welcome is posted once even when its event is processed again (a crash before its status was written)', async () => {
    await h.botJoins(A);
    expect(h.texts()).toHaveLength(1);
    // As after a crash: the stored event is still pending, and recovery processes it again.
    h.rt.db.$client.prepare(`update inbound_events set status = 'pending' where payload != ''`).run();
    await h.rt.inbound.recover();
    await h.settle();
    expect(h.texts()).toHaveLength(1);
    expect(h.rt.db.$client.prepare(`select count(*) as n from outbox`).get()).toEqual({ n: 1 });
  });

  it('a group message that is not for the bot and not a command is ignored; an image @bot gets a hint', async () => {
    await h.says(A, '大家中午吃什么');
    expect(h.fake.sent).toHaveLength(0);
    const env = textMessage(h.secrets, h.rt.clock.now(), { chatId: CHAT, sender: A, text: '@{ou_bot}', people: [A, BOT] });
    env.event.message.message_type = 'image';
    env.event.message.content = JSON.stringify({ image_key: 'img_v3_x' });
    await h.push('/feishu/events', env);
    await h.settle();
    expect(h.texts()).toEqual(['我只能读取文字和富文本消息中的命令。发送 /帮助 查看全部命令和示例。']);
  });

  it('answers 500 (so Feishu retries) when the event cannot be stored', async () => {
    h.rt.db.$client.exec(`create trigger no_inbound before insert on inbound_events begin select raise(abort, 'disk full'); end`);
    const r = await h.push('/feishu/events', help());
    expect(r.status).toBe(500);
    h.rt.db.$client.exec('drop trigger no_inbound');
  });
});

describe('card callback', () => {
  it('is answered synchronously, well inside 3 s, with a toast and the updated card', async () => {
    await h.says(A, '@{ou_bot} /需求 接口联调 协作:@{ou_bob} 截止:周五 标准:联调通过');
    const card = h.cardFor('需求确认', B);
    const t0 = performance.now();
    const r = await h.clicks(B, card, '确认对接');
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(r.status).toBe(200);
    const body = r.json() as { toast: { type: string; content: string; i18n: Record<string, string> }; card?: { type: string; data: { schema: string } } };
    expect(body.toast.type).toBe('success');
    expect(body.toast.i18n.zh_cn).toBe(body.toast.content);
    if (body.card) expect(body.card).toMatchObject({ type: 'raw', data: { schema: '2.0' } });
  });

  it('a click whose value is not ours gets an error toast and changes nothing', async () => {
    const r = await h.push('/feishu/card', {
      schema: '2.0',
      header: { event_id: 'ev-y', event_type: 'card.action.trigger', token: h.secrets.verificationToken, app_id: h.secrets.appId, create_time: String(h.rt.clock.now().getTime()) },
      event: { operator: { open_id: A.openId }, token: 'c-1', action: { value: { op: 'approve' }, tag: 'button' }, context: { open_message_id: 'om_1', open_chat_id: CHAT } },
    });
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ toast: { type: 'error' } });
    expect(h.counts()).toEqual(NO_CHANGE);
  });
});
