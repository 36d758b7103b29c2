// Secrets never reach the logs. Every log line of a full Feishu flow and a full DingTalk flow is
// captured at trace level (below debug: the SDK's own chatter included) through a pino logger
// configured like production's (same redaction), including the unhappy paths that tend to log
// whole requests: refused webhooks, revoked tokens, platform 5xx and timeouts, expired session
// webhooks, bad download links. Then no secret may appear in any line: app secrets, the encrypt
// key, the verification token, access tokens the fakes issued, card-update tokens, session
// webhook URLs, the export-link signing key, the signed download URLs and their tokens, and the
// request signatures.

import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { FakeClock } from '../../src/domain/clock.ts';
import { MONDAY_10AM } from '../helpers/runtime.ts';
import { FakeDingtalk } from '../fakes/dingtalk.fake.ts';
import { encryptBody, sign } from '../fakes/feishu.wire.ts';
import { A as DA, B as DB, C as DC, cardFor, cardSign, CLIENT_ID, click, type Harness, postEvent, robotMessage, robotSign, say, SECRET as DT_SECRET, settle, startDingtalkRuntime, TEMPLATE } from '../platforms/dingtalk/harness.ts';
import { A, B, C, capturingLogger, FeishuBot } from './support/feishu-bot.ts';

/** Every secret value found, with what it is, for the report of a leak. */
type Secrets = Map<string, string>;

function leaks(raw: string[], secrets: Secrets): Array<{ what: string; line: string }> {
  const out: Array<{ what: string; line: string }> = [];
  for (const [value, what] of secrets) {
    if (value.length < 5) throw new Error(`secret "${what}" too short to search for`);
    // Short values (the fakes' tokens, "tok-1") must stand alone, so "tok-1" does not match "tok-12".
    const esc = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = value.length < 8 ? new RegExp(`(?<![A-Za-z0-9_-])${esc}(?![A-Za-z0-9_])`) : undefined;
    for (const line of raw) if (re ? re.test(line) : line.includes(value)) out.push({ what, line: line.slice(0, 400) });
  }
  return out;
}

/** Export links in outgoing texts: the URL, its token, and the token's MAC part. */
function exportLinks(texts: string[]): string[] {
  const out: string[] = [];
  for (const t of texts) {
    for (const m of t.matchAll(/https?:\/\/\S+\/files\/([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)/g)) {
      out.push(m[0], `${m[1]}.${m[2]}`, m[2]!);
    }
  }
  return out;
}

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

describe('no secret in the logs', () => {
  it('a full Feishu flow, with refusals, revoked tokens, 5xx, timeouts and downloads', async () => {
    const APP_SECRET = 'app-secret-leakcheck-4c1f9e';
    const bot = await FeishuBot.create({
      level: 'trace',
      appSecret: APP_SECRET,
      secrets: { encryptKey: 'ek-leakcheck-b7d20a', verificationToken: 'vt-leakcheck-91e6c3', appId: 'cli_leakcheck00001' },
      timeoutMs: 300,
      config: { server: { publicUrl: 'https://bot.example.com' }, outbox: { baseDelayMs: 10, maxDelayMs: 50 } },
    });
    cleanup.push(() => bot.close());
    const { secrets: s } = bot;
    const cardTokens: string[] = [];

    // URL verification (encrypted, unsigned), then a refused forgery and a wrong token.
    const challenge = encryptBody(JSON.stringify({ challenge: 'ch-1', token: s.verificationToken, type: 'url_verification' }), s.encryptKey);
    expect((await bot.post('/feishu/events', challenge, { 'content-type': 'application/json' })).statusCode).toBe(200);
    const ts = String(Math.floor(bot.clock.now().getTime() / 1000));
    const forged = await bot.post('/feishu/events', JSON.stringify({ encrypt: 'AAAA' }), {
      'content-type': 'application/json',
      'x-lark-request-timestamp': ts,
      'x-lark-request-nonce': 'n1',
      'x-lark-signature': sign(ts, 'n1', 'guessed-key', '{}'),
    });
    expect(forged.statusCode).toBe(401);
    const wrongToken = encryptBody(JSON.stringify({ challenge: 'ch-2', token: 'guess', type: 'url_verification' }), s.encryptKey);
    expect((await bot.post('/feishu/card', wrongToken, { 'content-type': 'application/json' })).statusCode).toBe(403);

    // The request flow, with clicks (each carries a card-update token).
    await bot.says(A, '@{ou_bot} /需求 接口联调 协作:@{ou_bob} @{ou_carol} 截止:周五 标准:联调通过');
    await bot.deliverAll();
    const card = (who: string) => bot.sql<{ mid: string }>(`select platform_message_id as mid from card_refs where card_key like ?`, `%${who}`)[0]!.mid;
    for (const [who, p, label, form] of [
      ['ou_bob', B, '确认对接', undefined],
      ['ou_carol', C, '提出异议', { reason: '文档未定稿' }],
      ['ou_carol', C, '确认对接', undefined],
    ] as const) {
      const r = await bot.clicks(p, card(who), label, form);
      cardTokens.push(r.cardToken);
      await bot.deliverAll();
    }

    // A platform that fails: 5xx, a hang past the timeout, a revoked token, bot info down.
    let n = 0;
    bot.proxy.plan = (call) => {
      if (!call.path.startsWith('/open-apis/im/')) return undefined;
      n++;
      if (n === 1) return { kind: 'status', status: 500, body: JSON.stringify({ code: 1, msg: 'internal' }), label: '500' };
      if (n === 2) return { kind: 'hang', label: 'hang' };
      if (n === 3) return { kind: 'status', status: 429, body: JSON.stringify({ code: 99991400, msg: 'limit' }), headers: { 'x-ogw-ratelimit-reset': '1' }, label: '429' };
      return undefined;
    };
    bot.fake.revokeTokens();
    await bot.says(B, '@{ou_bot} /提交 #1 联调报告 evidence:https://example.com/r');
    await bot.deliverAll();

    // Exports: the reply carries a signed link; it is downloaded, and tampered with.
    await bot.says(A, '@{ou_bot} /归档 #1 csv');
    await bot.says(A, '@{ou_bot} /导出 md');
    await bot.deliverAll();
    const texts = bot.fake.sent.filter((x) => x.msgType === 'text').map((x) => (JSON.parse(x.content) as { text: string }).text);
    const links = exportLinks(texts);
    expect(links.length).toBeGreaterThanOrEqual(6);
    for (const url of links.filter((l) => l.startsWith('https://'))) {
      const path = new URL(url).pathname;
      expect((await bot.rt.app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
      expect((await bot.rt.app.inject({ method: 'GET', url: path.slice(0, -2) + 'xx' })).statusCode).toBe(403);
    }

    const secrets: Secrets = new Map([
      [APP_SECRET, 'Feishu app secret'],
      [s.encryptKey, 'Feishu encrypt key'],
      [s.verificationToken, 'Feishu verification token'],
      [(bot.rt.db.$client.prepare(`select value from settings where key = 'link_secret'`).get() as { value: string }).value, 'export link signing key'],
    ]);
    const issued = new Set(bot.fake.requests.map((r) => String(r.headers.authorization ?? '').replace(/^Bearer /, '')).filter(Boolean));
    expect(issued.size).toBeGreaterThanOrEqual(2); // the first token, and the one after revocation
    for (const t of issued) secrets.set(t, 'Feishu tenant access token');
    for (const t of cardTokens) secrets.set(t, 'Feishu card-update token');
    for (const l of links) secrets.set(l, 'signed download URL / token');
    // Webhook signatures are per-request credentials too.
    secrets.set(sign(ts, 'n1', 'guessed-key', '{}'), 'a request signature');

    // The unhappy paths were really logged.
    const msgs = bot.lines.map((l) => l.msg);
    expect(msgs).toContain('feishu webhook refused');
    expect(msgs).toContain('send failed, will retry');
    expect(bot.lines.length).toBeGreaterThan(20);
    expect(leaks(bot.raw, secrets)).toEqual([]);
  }, 60_000);

  it('a full DingTalk flow, with refusals, revoked tokens, throttling, expired session webhooks and downloads', async () => {
    const fake = await new FakeDingtalk().start();
    cleanup.push(() => fake.stop());
    const clock = new FakeClock(new Date(MONDAY_10AM));
    const config = parseConfig({
      log: { level: 'trace' },
      database: { file: ':memory:' },
      server: { publicUrl: 'https://bot.example.com' },
      outbox: { baseDelayMs: 10, maxDelayMs: 50, rateLimits: { dingtalk: { appPerSecond: 10_000, chatPerMinute: 1_000_000 } } },
      platforms: {
        sandbox: { enabled: false },
        dingtalk: { enabled: true, mode: 'http', clientId: CLIENT_ID, clientSecret: DT_SECRET, robotCode: CLIENT_ID, cardTemplateId: TEMPLATE, apiBase: fake.url, oapiBase: fake.url },
      },
    });
    const { log, lines, raw } = capturingLogger('trace');
    const { rt, core, module } = await startDingtalkRuntime(config, { clock, log });
    cleanup.push(() => rt.close());
    const h: Harness = { rt, core, module, clock, fake, msgSeq: 0 };
    const signatures: string[] = [];

    // Refusals: no signature, a forged one, a stale one.
    const body = robotMessage(h, DA, '/帮助');
    expect((await postEvent(h, body, { sign: 'Zm9yZ2VkLXNpZ25hdHVyZQ==' })).statusCode).toBe(401);
    expect((await postEvent(h, body, { timestamp: String(clock.now().getTime() - 7_200_000) })).statusCode).toBe(403);

    // The flow: a request, clicks through the card callback, a submission.
    await say(h, DA, '/需求 接口联调 协作:@李四 @王五 截止:周五 标准:联调通过', { at: [DB, DC] });
    const bCard = cardFor(h, '需求确认', DB);
    const cCard = cardFor(h, '需求确认', DC);
    await click(h, bCard, DB, 'btn1');
    await click(h, cCard, DC, 'form', { reason: '文档未定稿' });
    await click(h, cCard, DC, 'btn1');

    // Failures: a revoked token, throttling, a 5xx, an expired session webhook.
    fake.revokeTokens();
    fake.failNext('cardCreate', 403, { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: 'qps limit' });
    fake.failNext('groupSend', 500, { code: 'ServiceUnavailable', message: 'boom' });
    fake.expireSession('s-u_b');
    await say(h, DB, '/提交 #1 联调报告 evidence:https://example.com/r');
    for (let i = 0; i < 20; i++) {
      clock.advance(1000);
      await settle(h);
    }

    // Exports.
    await say(h, DA, '/归档 #1 csv');
    await say(h, DA, '/导出 md');
    const texts = [
      ...fake.sessionSends.map((x) => x.body.text?.content ?? JSON.stringify(x.body)),
      ...fake.groupSends.map((x) => x.body.msgParam),
    ];
    const links = exportLinks(texts.map((t) => t.replace(/\\\//g, '/')));
    expect(links.length).toBeGreaterThanOrEqual(6);
    for (const url of links.filter((l) => l.startsWith('https://'))) {
      expect((await rt.app.inject({ method: 'GET', url: new URL(url).pathname })).statusCode).toBe(200);
    }

    // The signatures DingTalk sent with the first and the last requests.
    for (const ts of [String(new Date(MONDAY_10AM).getTime()), String(clock.now().getTime())]) signatures.push(robotSign(ts), cardSign(ts));
    const secrets: Secrets = new Map([
      [DT_SECRET, 'DingTalk client secret'],
      [(rt.db.$client.prepare(`select value from settings where key = 'link_secret'`).get() as { value: string }).value, 'export link signing key'],
    ]);
    const tokens = new Set([...fake.groupSends, ...fake.cardCreates, ...fake.cardUpdates, ...fake.registers].map((x) => x.token).filter((t): t is string => !!t));
    expect(tokens.size).toBeGreaterThanOrEqual(2);
    for (const t of tokens) secrets.set(t, 'DingTalk access token');
    for (const session of new Set(fake.sessionSends.map((x) => x.session).concat(['s-u_a', 's-u_b', 's-u_c']))) {
      secrets.set(fake.sessionUrl(session), 'session webhook URL');
      secrets.set(`session=${encodeURIComponent(session)}`, 'session webhook query');
    }
    for (const l of links) secrets.set(l, 'signed download URL / token');
    for (const sg of signatures) secrets.set(sg, 'a request signature');

    const msgs = lines.map((l) => l.msg);
    expect(msgs).toContain('dingtalk callback refused');
    expect(lines.some((l) => l.level >= 40)).toBe(true);
    expect(leaks(raw, secrets)).toEqual([]);
  }, 60_000);

  it('the Feishu long connection: its endpoint URL carries an access key and a ticket', async () => {
    const APP_SECRET = 'app-secret-longconn-e2a9d1';
    const bot = await FeishuBot.create({
      level: 'trace',
      mode: 'longconn',
      appSecret: APP_SECRET,
      secrets: { encryptKey: '', verificationToken: '', appId: 'cli_0123456789abcdef' },
    });
    cleanup.push(() => bot.close());
    // The endpoint answers a connect URL (port 9: nothing listens, the connection fails and is logged).
    const ACCESS_KEY = 'ak-LEAKCHECK-7731f0';
    const TICKET = 'ticket-LEAKCHECK-5521aa';
    bot.fake.wsEndpoint = {
      code: 0,
      msg: 'ok',
      data: {
        URL: `ws://127.0.0.1:9/ws/v2?device_id=d1&access_key=${ACCESS_KEY}&service_id=33&ticket=${TICKET}`,
        ClientConfig: { PingInterval: 120, ReconnectCount: 0, ReconnectInterval: 120, ReconnectNonce: 30 },
      },
    };
    const platform = bot.rt.platforms.get('feishu')!;
    await Promise.race([platform.start?.(), new Promise((r) => setTimeout(r, 3000))]);
    await new Promise((r) => setTimeout(r, 200));
    await platform.stop?.();
    expect(bot.fake.requests.some((r) => r.path === '/callback/ws/endpoint')).toBe(true);
    expect(bot.lines.some((l) => /ws/i.test(String(l.msg)))).toBe(true);
    expect(leaks(bot.raw, new Map([[APP_SECRET, 'Feishu app secret'], [ACCESS_KEY, 'long-connection access key'], [TICKET, 'long-connection ticket']]))).toEqual([]);
  }, 30_000);
});
