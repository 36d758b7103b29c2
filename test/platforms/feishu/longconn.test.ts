// Long-connection mode. The WSClient's protobuf-over-WebSocket protocol is not faked; what it
// does with a frame is: JSON-parse the payload and call `eventDispatcher.invoke(data,
// {needCheck:false})`, then base64-JSON the return value into the ACK. These tests make that very
// call with payloads of the long-connection shape (plaintext v2 envelopes, no signature).

import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FeishuLongConn } from '../../../src/platforms/feishu/feishu.ws.ts';
import { A, B, BOT, CHAT, FeishuHarness } from '../../fakes/feishu.harness.ts';
import { FakeFeishuGateway } from '../../fakes/feishu-ws.fake.ts';
import { buttonsOf, markdownOf } from '../../fakes/feishu.fake.ts';
import { botAdded, cardClick, longConnFrame, textMessage } from '../../fakes/feishu.wire.ts';

let h: FeishuHarness;
beforeEach(async () => {
  h = await FeishuHarness.create({ mode: 'longconn' });
});
afterEach(async () => {
  await h.close();
});

/** What WSClient.handleEventData does with a frame, returning what would ride in the ACK. */
async function frame(envelope: Parameters<typeof longConnFrame>[0]): Promise<unknown> {
  return h.platform.dispatcher.invoke(longConnFrame(envelope), { needCheck: false });
}

describe('long connection handlers', () => {
  it('registers the message, membership and card callback handlers', () => {
    const handles = [...h.platform.dispatcher.handles.keys()];
    for (const t of ['im.message.receive_v1', 'im.chat.member.bot.added_v1', 'im.chat.member.bot.deleted_v1', 'card.action.trigger']) {
      expect(handles).toContain(t);
    }
  });

  it('a message event is stored, acknowledged with nothing, then handled by the engine; a re-push acts once', async () => {
    const env = textMessage(h.secrets, h.rt.clock.now(), { chatId: CHAT, sender: A, text: '@{ou_bot} /帮助', people: [A, BOT] });
    expect(await frame(env)).toBeUndefined();
    expect(h.counts().events).toBeGreaterThan(0);
    await h.settle();
    expect(h.fake.sent).toHaveLength(1);
    expect(h.fake.sent[0]).toMatchObject({ kind: 'reply', target: env.event.message.message_id });
    // Not acknowledged in time → Feishu pushes it again.
    await frame(env);
    await h.settle();
    expect(h.fake.sent).toHaveLength(1);
  });

  it('the same mapping and engine as the webhook: a request raised over the long connection, confirmed by a card click', async () => {
    await frame(textMessage(h.secrets, h.rt.clock.now(), { chatId: CHAT, sender: A, text: '@{ou_bot} /需求 接口联调 协作:@{ou_bob} 截止:周五 标准:联调通过', people: [A, B, BOT] }));
    await h.settle();
    expect(h.state(1)).toBe('pending');
    const card = h.cardFor('需求确认', B);
    const button = buttonsOf(card.card).find((b) => b.label === '确认对接')!;

    // The card handler's return value is the callback answer (it rides back in the ACK frame).
    const ack = (await frame(cardClick(h.secrets, h.rt.clock.now(), { operator: A, chatId: CHAT, messageId: card.messageId, value: button.value }))) as {
      toast: { type: string; content: string };
    };
    expect(ack.toast.type).toBe('error');
    expect(ack.toast.content).toContain('@李四');

    const ok = (await frame(cardClick(h.secrets, h.rt.clock.now(), { operator: B, chatId: CHAT, messageId: card.messageId, value: button.value }))) as {
      toast: { type: string };
    };
    expect(ok.toast.type).toBe('success');
    expect(JSON.parse(JSON.stringify(ok))).toEqual(ok); // serialisable for the ACK
    await h.settle();
    expect(h.state(1)).toBe('active');
    expect(markdownOf(h.fake.card(card.messageId))).toContain('已确认');
  });

  it('a form submitted over the long connection carries its values', async () => {
    await frame(textMessage(h.secrets, h.rt.clock.now(), { chatId: CHAT, sender: A, text: '@{ou_bot} /需求 接口联调 协作:@{ou_bob} 截止:周五', people: [A, B, BOT] }));
    await h.settle();
    const card = h.cardFor('需求确认', B);
    const object = buttonsOf(card.card).find((b) => b.label === '提出异议')!;
    const ack = (await frame(
      cardClick(h.secrets, h.rt.clock.now(), { operator: B, chatId: CHAT, messageId: card.messageId, value: object.value, name: object.name, form: { reason: '排期冲突' } }),
    )) as { toast: { type: string } };
    expect(ack.toast.type).toBe('success');
    expect(h.state(1)).toBe('objected');
    expect(h.rt.repo.people(1)[0]!.note).toBe('排期冲突');
  });

  it('the bot joining a group over the long connection posts the welcome', async () => {
    await frame(botAdded(h.secrets, h.rt.clock.now(), { chatId: CHAT, operator: A }));
    await h.settle();
    expect(h.texts()).toHaveLength(1);
    expect(h.texts()[0]).toContain('/帮助');
  });

  it('handlers called directly with the flattened shape the SDK passes ({schema, ...header, ...event})', async () => {
    const env = textMessage(h.secrets, h.rt.clock.now(), { chatId: CHAT, sender: A, text: '@{ou_bot} /帮助', people: [A, BOT] });
    const handler = h.platform.dispatcher.handles.get('im.message.receive_v1') as (d: unknown) => Promise<unknown>;
    expect(await handler({ schema: '2.0', ...env.header, ...env.event })).toBeUndefined();
    await h.settle();
    expect(h.fake.sent).toHaveLength(1);
  });

  it('an App ID the SDK would refuse is reported, and start() does not wait for nothing', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const lc = new FeishuLongConn({ appId: 'cli_not_hex', appSecret: 's', domain: h.fake.url, log, readyTimeoutMs: 60_000 }, h.platform.dispatcher);
    const t0 = performance.now();
    await lc.start();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(lines.join()).toContain('16 hex digits');
    await lc.stop();
  });

  it('start() asks the endpoint for a connection with the app credentials, returns when refused, and stop() closes', async () => {
    await h.platform.start();
    const ep = h.fake.requests.find((r) => r.path === '/callback/ws/endpoint');
    expect(ep?.body).toEqual({ AppID: h.secrets.appId, AppSecret: 'app-secret-x' });
    // start() also loaded the bot identity.
    expect(h.fake.requests.some((r) => r.path === '/open-apis/bot/v3/info')).toBe(true);
    await h.platform.stop();
  });
});

describe('routes in long-connection mode', () => {
  it('stay available for callbacks when credentials are configured', async () => {
    const r = await h.post('/feishu/events', '{}', { 'content-type': 'application/json' });
    expect(r.status).toBe(401);
  });

  it('are not registered without an Encrypt Key or Verification Token (nothing could authenticate them)', async () => {
    const bare = await FeishuHarness.create({ mode: 'longconn', encryptKey: '', verificationToken: '' });
    try {
      expect((await bare.post('/feishu/events', '{}', { 'content-type': 'application/json' })).status).toBe(404);
      expect((await bare.post('/feishu/card', '{}', { 'content-type': 'application/json' })).status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});

/** Polls `ok` every 20 ms for up to `ms`. */
async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const t0 = performance.now();
  while (!ok()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const metricLine = (text: string, name: string) => text.split('\n').find((l) => l.startsWith(name))?.split(' ').at(-1);

describe('long connection supervision (against a fake gateway speaking the protobuf frames)', () => {
  let gw: FakeFeishuGateway;
  let lc: FeishuHarness;
  beforeEach(async () => {
    gw = await new FakeFeishuGateway().start();
    // Restart backoff: base 400 ms, no jitter drawn (random 0) → 200 ms.
    lc = await FeishuHarness.create({ mode: 'longconn', longConn: { baseDelayMs: 400, maxDelayMs: 400, random: () => 0 } });
    lc.fake.wsEndpoint = gw.endpointAnswer();
  });
  afterEach(async () => {
    await lc.close();
    await gw.stop();
  });

  const readyz = async () => (await lc.rt.app.inject('/readyz')).json() as { ok: boolean; connections?: unknown[] };
  const metrics = async () => (await lc.rt.app.inject('/metrics')).body;
  const LABELS = '{platform="feishu",transport="longconn"}';

  it('an endpoint answering {code: 1, "system busy"} once does not end it: the client is restarted, then receives and acks events', async () => {
    lc.fake.failNext({ op: 'ws_endpoint', status: 200, body: { code: 1, msg: 'system busy', data: {} } });
    const states: string[] = [];
    lc.platform.longConnection?.onState((s) => states.push(s));
    await lc.platform.start(); // returns once the first attempt failed

    // Waiting to restart: listed, but the bot stays ready (webhooks and delivery still work).
    const waiting = await readyz();
    expect(waiting.ok).toBe(true);
    expect(waiting.connections).toEqual([{ platform: 'feishu', transport: 'longconn', state: 'waiting', reconnects: 0 }]);
    const m1 = await metrics();
    expect(metricLine(m1, `groupflow_longconn_up${LABELS}`)).toBe('0');
    expect(metricLine(m1, 'groupflow_longconn_state{platform="feishu",transport="longconn",state="waiting"}')).toBe('1');

    await until('a second endpoint request and an open socket', () => gw.open().length === 1 && lc.platform.longConnection?.state === 'connected');
    expect(lc.fake.requests.filter((r) => r.path === '/callback/ws/endpoint')).toHaveLength(2);
    expect(states).toEqual(['connecting', 'waiting', 'connecting', 'connected']);
    expect((await readyz()).connections).toEqual([{ platform: 'feishu', transport: 'longconn', state: 'connected', reconnects: 1 }]);
    const m2 = await metrics();
    expect(metricLine(m2, `groupflow_longconn_up${LABELS}`)).toBe('1');
    expect(metricLine(m2, 'groupflow_longconn_state{platform="feishu",transport="longconn",state="connected"}')).toBe('1');
    expect(metricLine(m2, `groupflow_longconn_reconnects_total${LABELS}`)).toBe('1');

    // An event pushed over the new connection is acked and handled.
    const env = textMessage(lc.secrets, lc.rt.clock.now(), { chatId: CHAT, sender: A, text: '@{ou_bot} /帮助', people: [A, BOT] });
    const id = gw.push(env);
    await until('the ack', () => gw.acks.length === 1);
    expect(gw.acks[0]).toEqual({ messageId: id, code: 200 });
    await lc.settle();
    expect(lc.fake.sent).toHaveLength(1);
    expect(lc.fake.sent[0]).toMatchObject({ kind: 'reply', target: env.event.message.message_id });
  });

  it('a connection that drops and then meets "system busy" on reconnect is restarted too; stop() ends it for good', async () => {
    await lc.platform.start();
    await until('connected', () => lc.platform.longConnection?.state === 'connected' && gw.open().length === 1);
    // The SDK's own reconnect after the drop asks the endpoint and is told "system busy": fatal for it.
    lc.fake.failNext({ op: 'ws_endpoint', status: 200, body: { code: 1, msg: 'system busy', data: {} } });
    const states: string[] = [];
    lc.platform.longConnection?.onState((s) => states.push(s));
    for (const c of gw.open()) c.destroy();
    await until('the SDK reconnecting, then giving up', () => states.includes('waiting'), 8000);
    await until('reconnected by a new client', () => lc.platform.longConnection?.state === 'connected' && gw.open().length === 1, 8000);
    expect(lc.fake.requests.filter((r) => r.path === '/callback/ws/endpoint').length).toBeGreaterThanOrEqual(3);
    expect(states).toEqual(['connecting', 'waiting', 'connecting', 'connected']);
    expect(lc.platform.connections()[0]!.reconnects).toBe(2); // the SDK's reconnect, then our restart
    await lc.platform.stop();
    expect(lc.platform.connections()[0]!.state).toBe('stopped');
    await until('socket closed', () => gw.open().length === 0);
  });
});
