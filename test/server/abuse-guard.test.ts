// The webhook abuse guard, attacked from outside with Feishu (webhook) and DingTalk (HTTP) enabled
// together against their fakes: forged requests from an address are limited, correctly signed
// ones never are, a signed request does not open the door for forged ones, and behind a reverse
// proxy the client address is the one the configured proxy reports — and only that proxy.

import { createHmac } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { FakeClock } from '../../src/domain/clock.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { FakeDingtalk } from '../fakes/dingtalk.fake.ts';
import { FakeFeishu } from '../fakes/feishu.fake.ts';
import { type Person, signedRequest, textMessage, type WireSecrets } from '../fakes/feishu.wire.ts';
import { MONDAY_10AM } from '../helpers/runtime.ts';

const SECRETS: WireSecrets = { encryptKey: 'ek-abuse-1', verificationToken: 'vt-abuse-1', appId: 'cli_a1b2c3d4e5f6a7b8' };
const DT_SECRET = 'dt-abuse-secret';
const A: Person = { openId: 'ou_alice', name: '张三' };
const BOT: Person = { openId: 'ou_bot', name: 'Groupflow' };

const ATTACKER = '198.51.100.7';
const PLATFORM = '203.0.113.10';

let rt: Runtime & { clock: FakeClock };
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function start(server: ConfigInput['server'] = {}): Promise<void> {
  const feishu = await new FakeFeishu().start();
  const dingtalk = await new FakeDingtalk().start();
  const config = parseConfig({
    log: { level: 'silent' },
    database: { file: ':memory:' },
    server,
    platforms: {
      sandbox: { enabled: false },
      feishu: { enabled: true, appId: SECRETS.appId, appSecret: 'app-secret-x', encryptKey: SECRETS.encryptKey, verificationToken: SECRETS.verificationToken, domain: feishu.url },
      dingtalk: { enabled: true, clientId: 'dingabuse', clientSecret: DT_SECRET, robotCode: 'dingabuse', apiBase: dingtalk.url, oapiBase: dingtalk.url },
    },
  });
  const clock = new FakeClock(new Date(MONDAY_10AM));
  rt = Object.assign(await createRuntime(config, { clock, log: pino({ level: 'silent' }) }), { clock });
  stops.push(async () => {
    await rt.close();
    await feishu.stop();
    await dingtalk.stop();
  });
}

type Req = { url: string; payload: string; headers: Record<string, string> };

let seq = 0;
function feishuEvent(forged = false): Req {
  const r = signedRequest(textMessage(SECRETS, rt.clock.now(), { chatId: 'oc_g1', sender: A, text: '@{ou_bot} /帮助', people: [A, BOT] }), SECRETS, rt.clock.now());
  return { url: '/feishu/events', payload: r.payload, headers: forged ? { ...r.headers, 'x-lark-signature': 'f'.repeat(64) } : r.headers };
}

function dingtalkEvent(forged = false): Req {
  const ts = String(rt.clock.now().getTime());
  const sign = createHmac('sha256', DT_SECRET).update(`${ts}\n${DT_SECRET}`, 'utf8').digest('base64');
  const body = {
    msgtype: 'text',
    text: { content: ' /帮助' },
    msgId: `msgAbuse${++seq}==`,
    conversationType: '2',
    conversationId: 'cidAbuse==',
    senderId: '$:LWCP_v1:$u_a==',
    senderStaffId: 'u_a',
    senderNick: '张三',
    chatbotUserId: '$:LWCP_v1:$bot==',
    isInAtList: true,
  };
  return {
    url: '/dingtalk/events',
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json', timestamp: ts, sign: forged ? createHmac('sha256', 'guess').update(ts).digest('base64') : sign },
  };
}

async function send(r: Req, remoteAddress: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await rt.app.inject({ method: 'POST', url: r.url, payload: r.payload, headers: { ...r.headers, ...headers }, remoteAddress });
  return res.statusCode;
}

describe('webhook abuse guard', () => {
  it('after 30+ forged requests, the same address still gets its correctly signed Feishu event and DingTalk callback through', async () => {
    await start();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push(await send(feishuEvent(true), ATTACKER));
    for (let i = 0; i < 20; i++) statuses.push(await send(dingtalkEvent(true), ATTACKER));
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    // A platform (or a proxy it shares an address with) signing correctly is never limited.
    expect(await send(feishuEvent(), ATTACKER)).toBe(200);
    expect(await send(dingtalkEvent(), ATTACKER)).toBe(200);
    // …and that did not make forged requests from it welcome again.
    expect(await send(feishuEvent(true), ATTACKER)).toBe(429);
    expect(await send(dingtalkEvent(true), ATTACKER)).toBe(429);
    // Exactly the two signed events were stored (Feishu's message-id markers have no payload).
    const events = rt.db.$client.prepare(`select platform, count(*) as n from inbound_events where payload != '' group by platform order by platform`).all();
    expect(events).toEqual([
      { platform: 'dingtalk', n: 1 },
      { platform: 'feishu', n: 1 },
    ]);
  });

  it('one signed request does not whitelist the forged ones that follow it from the same address', async () => {
    await start();
    expect(await send(feishuEvent(), ATTACKER)).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push(await send(i % 2 ? dingtalkEvent(true) : feishuEvent(true), ATTACKER));
    expect(statuses.filter((s) => s === 401)).toHaveLength(30);
    expect(statuses.slice(30)).toEqual(Array(10).fill(429));
    // Another address is not affected; the attacker's budget comes back after the window.
    expect(await send(feishuEvent(true), PLATFORM)).toBe(401);
    rt.clock.advance(61_000);
    expect(await send(feishuEvent(true), ATTACKER)).toBe(401);
  });

  it('without server.trustProxy, a spoofed X-Forwarded-For does not evade the limit', async () => {
    await start();
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push(await send(feishuEvent(true), ATTACKER, { 'x-forwarded-for': `192.0.2.${i}` }));
    expect(statuses.slice(30)).toEqual(Array(10).fill(429));
  });

  it('with server.trustProxy naming the proxy, X-Forwarded-For set by it decides the client address', async () => {
    const PROXY = '10.0.0.5';
    await start({ trustProxy: ['10.0.0.0/24'] });
    for (let i = 0; i < 30; i++) expect(await send(feishuEvent(true), PROXY, { 'x-forwarded-for': ATTACKER })).toBe(401);
    expect(await send(feishuEvent(true), PROXY, { 'x-forwarded-for': ATTACKER })).toBe(429);
    // Other clients behind the same proxy are counted on their own.
    expect(await send(feishuEvent(true), PROXY, { 'x-forwarded-for': PLATFORM })).toBe(401);
    expect(await send(feishuEvent(), PROXY, { 'x-forwarded-for': ATTACKER })).toBe(200);
    // An address the attacker prepends is not believed: the proxy appends the real one.
    expect(await send(feishuEvent(true), PROXY, { 'x-forwarded-for': `203.0.113.99, ${ATTACKER}` })).toBe(429);
    // A request that does not come from the trusted proxy cannot choose its address either.
    for (let i = 0; i < 30; i++) await send(feishuEvent(true), '192.0.2.50', { 'x-forwarded-for': `192.0.2.${i}` });
    expect(await send(feishuEvent(true), '192.0.2.50', { 'x-forwarded-for': '192.0.2.200' })).toBe(429);
  });

  it('server.trustProxy accepts false, true or addresses/CIDRs, and refuses anything else', () => {
    for (const ok of [false, true, ['127.0.0.1'], ['10.0.0.0/8', '::1', 'fd00::/8'], ['loopback']]) {
      expect(parseConfig({ server: { trustProxy: ok } }).server.trustProxy).toEqual(ok);
    }
    expect(parseConfig({}).server.trustProxy).toBe(false);
    for (const bad of [0, 1, 2, 'yes', '10.0.0.1', [], ['10.0.0.0/33'], ['not-an-ip'], ['10.0.0.1/'], ['::1/129']]) {
      expect(() => parseConfig({ server: { trustProxy: bad as never } }), JSON.stringify(bad)).toThrow(/server\.trustProxy/);
    }
  });
});
