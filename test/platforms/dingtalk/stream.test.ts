// Stream mode, against a local fake gateway: the real `dingtalk-stream` DWClient connects to it
// (the gateway URL comes from platforms.dingtalk.apiBase), receives frames of the Stream shape and
// acknowledges them as the SDK does; the supervisor reconnects with backoff, honours `disconnect`,
// detects a silent connection and stops cleanly.

import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import { CallbackGate, WebhookBook } from '../../../src/platforms/dingtalk/dingtalk.outbound.ts';
import { onCardFrame, onRobotFrame, type StreamState } from '../../../src/platforms/dingtalk/dingtalk.stream.ts';
import type { FakeWsConnection } from '../../fakes/dingtalk-ws.fake.ts';
import { FakeDingtalk } from '../../fakes/dingtalk.fake.ts';
import { A, B, C, CLIENT_ID, type Harness, SECRET, cardCallback, cardFor, count, makeHarness, robotMessage, settle, slotParams } from './harness.ts';

const RAISE = '/需求 接口联调 协作:@李四 @王五 截止:周五';
const FAST = { baseDelayMs: 50, maxDelayMs: 400, healthIntervalMs: 50, silentMs: 300, stableMs: 60_000, connectTimeoutMs: 2000 };

let fake: FakeDingtalk;
let h: Harness;

beforeEach(async () => {
  fake = await new FakeDingtalk().start();
  h = await makeHarness(fake, { mode: 'stream', stream: FAST });
});

afterEach(async () => {
  await h.rt.close();
  await fake.stop();
});

async function waitFor<T>(f: () => T | undefined | false, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

type Ack = { code: number; headers: { messageId: string; contentType: string }; message: string; data: string };
const ackOf = (conn: FakeWsConnection, messageId: string) => () =>
  conn.received.find((f): f is Ack => (f as Ack).headers?.messageId === messageId) as Ack | undefined;

function frame(type: 'CALLBACK' | 'EVENT' | 'SYSTEM', topic: string, messageId: string, data: unknown, extra: Record<string, string> = {}) {
  return {
    specVersion: '1.0',
    type,
    headers: { appId: 'app1', connectionId: 'conn1', contentType: 'application/json', messageId, time: String(Date.now()), topic, ...extra },
    data: typeof data === 'string' ? data : JSON.stringify(data),
  };
}

describe('Stream mode against a fake gateway', () => {
  it('subscribes, acks robot messages after storing them, answers card clicks within 2 s, and reconnects', async () => {
    await h.module.platform.start!();
    const sup = h.module.stream()!;
    const states: StreamState[] = [];
    sup.onState((s) => states.push(s));
    const conn1 = await fake.connection(1);
    await waitFor(() => sup.state === 'connected');
    expect(fake.gatewayOpens[0]).toMatchObject({ clientId: CLIENT_ID, clientSecret: SECRET, ua: 'groupflow' });
    expect(fake.gatewayOpens[0]!.subscriptions).toEqual(
      expect.arrayContaining([
        { type: 'CALLBACK', topic: TOPIC_ROBOT },
        { type: 'CALLBACK', topic: TOPIC_CARD },
      ]),
    );
    expect(conn1.url).toBe('/connect?ticket=ticket-1');

    // SYSTEM ping is echoed by the SDK.
    conn1.sendJson(frame('SYSTEM', 'ping', 'p1', { opaque: 'o1' }));
    expect(await waitFor(ackOf(conn1, 'p1'))).toMatchObject({ code: 200, message: 'OK', data: '{"opaque":"o1"}' });

    // A robot message: stored, acknowledged, then processed.
    const msg = robotMessage(h, A, RAISE, { at: [B, C], msgId: 'msgS1==' });
    conn1.sendJson(frame('CALLBACK', TOPIC_ROBOT, 'm1', msg));
    expect(await waitFor(ackOf(conn1, 'm1'))).toEqual({
      code: 200,
      headers: { contentType: 'application/json', messageId: 'm1' },
      message: 'OK',
      data: '{"response":"SUCCESS"}',
    });
    await settle(h);
    expect(h.rt.repo.getItem(1)?.state).toBe('pending');
    // Cards of a Stream bot must be created with the STREAM callback type, or clicks never arrive.
    expect(fake.cardCreates).toHaveLength(2);
    for (const c of fake.cardCreates) {
      expect(c.body.callbackType).toBe('STREAM');
      expect(c.body.callbackRouteKey).toBeUndefined();
    }

    // A late-ack re-push (new frame id, same msgId) is acknowledged and acts once.
    conn1.sendJson(frame('CALLBACK', TOPIC_ROBOT, 'm2', msg));
    await waitFor(ackOf(conn1, 'm2'));
    await settle(h);
    expect(count(h, 'items')).toBe(1);
    expect(fake.cardCreates).toHaveLength(2);

    // A card click over Stream: answered within 2 s with the clicker's notice.
    const bCard = cardFor(h, '需求确认', B);
    const sentAt = performance.now();
    conn1.sendJson(frame('CALLBACK', TOPIC_CARD, 'c1', cardCallback(bCard, B, slotParams(fake.cardState(bCard)!, 'btn1'))));
    const ack = await waitFor(ackOf(conn1, 'c1'));
    expect(performance.now() - sentAt).toBeLessThan(2000);
    const answer = JSON.parse(ack.data) as { response: { userPrivateData: { cardParamMap: { notice: string } }; cardUpdateOptions: object } };
    expect(answer.response.userPrivateData.cardParamMap.notice).toContain('确认成功');
    expect(answer.response.cardUpdateOptions).toEqual({ updateCardDataByKey: true, updatePrivateDataByKey: true });
    await settle(h);
    expect(h.rt.repo.people(1).find((p) => p.userId === B.id)?.status).toBe('confirmed');
    expect(fake.cardState(bCard)?.btn1_visible).toBe('false');

    // C clicking B's card is refused, over Stream too.
    conn1.sendJson(frame('CALLBACK', TOPIC_CARD, 'c2', cardCallback(bCard, C, { action: 'confirm', itemId: '1', version: '1', for: B.id })));
    const refused = JSON.parse((await waitFor(ackOf(conn1, 'c2'))).data) as { response: { userPrivateData: { cardParamMap: { notice: string } } } };
    expect(refused.response.userPrivateData.cardParamMap.notice).toContain('仅限');

    // An EVENT frame is acked by the SDK with SUCCESS.
    conn1.sendJson(frame('EVENT', 'chat_update_title', 'e1', {}, { eventType: 'chat_update_title', eventId: 'ev1' }));
    expect((await waitFor(ackOf(conn1, 'e1'))).data).toBe('{"status":"SUCCESS"}');

    // A malformed frame does not kill the connection.
    conn1.sendJson('not a frame');
    conn1.sendJson(frame('SYSTEM', 'ping', 'p2', { opaque: 'o2' }));
    await waitFor(ackOf(conn1, 'p2'));

    // The server announces a disconnect: the supervisor moves to a new connection at once.
    conn1.sendJson(frame('SYSTEM', 'disconnect', 'd1', { reason: 'server upgrade' }));
    const conn2 = await fake.connection(2);
    await waitFor(() => conn1.closed && sup.state === 'connected').catch((e) => {
      throw new Error(`${e} closed=${conn1.closed} state=${sup.state} states=${states.join(',')}`);
    });
    expect(fake.gatewayOpens).toHaveLength(2);
    expect(conn2.url).toBe('/connect?ticket=ticket-2');

    // Health check: pings go out; a connection that stops answering is replaced.
    await waitFor(() => conn2.pings > 0);
    conn2.mutePings = true;
    const conn3 = await fake.connection(3);
    await waitFor(() => conn2.closed && sup.state === 'connected');

    // /readyz lists the connection (the bot stays ready), /metrics counts its two reconnects.
    const ready = (await h.rt.app.inject('/readyz')).json() as { ok: boolean; connections: unknown[] };
    expect(ready).toMatchObject({ ok: true, connections: [{ platform: 'dingtalk', transport: 'stream', state: 'connected', reconnects: 2 }] });
    const metrics = (await h.rt.app.inject('/metrics')).body;
    expect(metrics).toContain('groupflow_longconn_up{platform="dingtalk",transport="stream"} 1');
    expect(metrics).toContain('groupflow_longconn_reconnects_total{platform="dingtalk",transport="stream"} 2');

    // Messages keep flowing on the new connection.
    conn3.sendJson(frame('CALLBACK', TOPIC_ROBOT, 'm3', robotMessage(h, A, '/帮助', { msgId: 'msgS3==' })));
    await waitFor(ackOf(conn3, 'm3'));

    // Clean stop: the socket is closed and nothing reconnects.
    await h.module.platform.stop!();
    expect(sup.state).toBe('stopped');
    await waitFor(() => conn3.closed);
    const opens = fake.gatewayOpens.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.gatewayOpens).toHaveLength(opens);
    expect(states).toEqual(expect.arrayContaining(['waiting', 'connecting', 'connected', 'stopped']));
  });

  it('backs off with jitter instead of storming when the gateway or the handshake is refused', async () => {
    fake.refuseUpgrade = true;
    await h.module.platform.start!();
    const sup = h.module.stream()!;
    await new Promise((r) => setTimeout(r, 1200));
    const calls = fake.gatewayOpens.length;
    // dingtalk-stream 2.1.5 on its own: 31 gateway calls in 4.5 s, and growing exponentially.
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThanOrEqual(9);
    const t = fake.gatewayOpenTimes;
    const gaps = t.slice(1).map((x, i) => x - t[i]!);
    // Each wait is at least half the (doubling, capped) base delay.
    gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(Math.min(FAST.maxDelayMs, FAST.baseDelayMs * 2 ** i) / 2 - 5));
    expect(fake.connections).toHaveLength(0);

    // Refused at the gateway instead (set before the handshake is allowed again).
    fake.refuseGateway = 503;
    await new Promise((r) => setTimeout(r, FAST.maxDelayMs + 100));
    fake.refuseUpgrade = false;
    const before = fake.gatewayOpens.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(fake.gatewayOpens.length - before).toBeLessThanOrEqual(3);
    expect(sup.state).not.toBe('connected');

    fake.refuseGateway = undefined;
    await fake.connection(1, 3000);
    await waitFor(() => sup.state === 'connected', 3000);
    await h.module.platform.stop!();
  });
});

describe('Stream handlers (frames of the Stream shape, no socket)', () => {
  const deps = () => ({ core: h.core, webhooks: new WebhookBook(fake.url), gate: new CallbackGate(), log: pino({ level: 'silent' }) });
  const recorder = () => {
    const acks: Array<{ messageId: string; result: unknown }> = [];
    return { acks, socketCallBackResponse: (messageId: string, result: unknown) => void acks.push({ messageId, result }) };
  };

  it('does not acknowledge a robot message it could not store (DingTalk will push it again)', async () => {
    const r = recorder();
    // A frame exactly as the gateway pushes it (fixture), carrying a robot message as its data string.
    const shape = JSON.parse(readFileSync(new URL('../../fixtures/dingtalk/stream-robot-frame.json', import.meta.url), 'utf8')) as ReturnType<typeof frame>;
    const f = { ...shape, headers: { ...shape.headers, messageId: 'm9' }, data: JSON.stringify(robotMessage(h, A, '/帮助', { msgId: 'msgS9==' })) };
    expect(f.headers.topic).toBe(TOPIC_ROBOT);
    h.rt.db.$client.exec(`create trigger no_inbound before insert on inbound_events begin select raise(abort, 'disk full'); end`);
    onRobotFrame(deps(), r, f);
    expect(r.acks).toEqual([]);
    h.rt.db.$client.exec('drop trigger no_inbound');
    onRobotFrame(deps(), r, f);
    expect(r.acks).toEqual([{ messageId: 'm9', result: 'SUCCESS' }]);
    await settle(h);
    expect(count(h, 'inbound_events')).toBe(1);
  });

  it('acknowledges (and drops) frames that are not robot messages; answers undecodable card frames', () => {
    const r = recorder();
    onRobotFrame(deps(), r, frame('CALLBACK', TOPIC_ROBOT, 'x1', '{"hello":1}'));
    onCardFrame(deps(), r, frame('CALLBACK', TOPIC_CARD, 'x2', 'not json'));
    expect(r.acks[0]).toEqual({ messageId: 'x1', result: 'SUCCESS' });
    expect(r.acks[1]!.messageId).toBe('x2');
    expect(JSON.stringify(r.acks[1]!.result)).toContain('无法处理');
    expect(count(h, 'inbound_events')).toBe(0);
  });
});
