// Test harness: a runtime with the DingTalk module against the fake DingTalk, payload builders
// written from the protocol (signatures with node:crypto directly, never the project's helper),
// and "A says…" / "B clicks…" helpers that go through the real HTTP routes.

import { createHmac } from 'node:crypto';
import { afterEach, beforeEach } from 'vitest';
import pino, { type Logger } from 'pino';
import { parseConfig } from '../../../src/config/load.ts';
import type { Config } from '../../../src/config/schema.ts';
import { FakeClock } from '../../../src/domain/clock.ts';
import { type Core, createRuntime, type Runtime } from '../../../src/runtime.ts';
import { createDingtalk, type DingtalkModule, type DingtalkOptions } from '../../../src/platforms/dingtalk/index.ts';
import { FakeDingtalk } from '../../fakes/dingtalk.fake.ts';

export const SECRET = 'test-app-secret';
export const CLIENT_ID = 'dingtestkey';
export const TEMPLATE = 'tpl-groupflow.schema';
export const BOT = '$:LWCP_v1:$bot==';
export const CID = 'cidGroup1==';
export const CHAT = `dingtalk:${CID}`;

export interface Person {
  staffId: string;
  nick: string;
  dingtalkId: string;
  id: string;
}
const person = (staffId: string, nick: string): Person => ({ staffId, nick, dingtalkId: `$:LWCP_v1:$${staffId}==`, id: `dingtalk:${staffId}` });
export const A = person('u_a', '张三');
export const B = person('u_b', '李四');
export const C = person('u_c', '王五');

/** DingTalk's robot callback signature: Base64(HMAC-SHA256(secret, timestamp + "\n" + secret)). */
export function robotSign(timestamp: string, secret = SECRET): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/** DingTalk's card callback signature: Base64(HMAC-SHA256(apiSecret, timestamp)). */
export function cardSign(timestamp: string, secret = SECRET): string {
  return createHmac('sha256', secret).update(timestamp, 'utf8').digest('base64');
}

export interface Harness {
  rt: Runtime;
  core: Core;
  module: DingtalkModule;
  clock: FakeClock;
  fake: FakeDingtalk;
  msgSeq: number;
}

/**
 * Before each test of the file: a fresh fake DingTalk and a harness against it, handed to `set`;
 * after it, both stopped.
 */
export function harnessEachTest(set: (fake: FakeDingtalk, h: Harness) => void): void {
  let fake: FakeDingtalk | undefined;
  let h: Harness | undefined;
  beforeEach(async () => {
    h = undefined;
    fake = await new FakeDingtalk().start();
    h = await makeHarness(fake);
    set(fake, h);
  });
  afterEach(async () => {
    await h?.rt.close();
    await fake?.stop();
  });
}

export async function makeHarness(
  fake: FakeDingtalk,
  o: { mode?: 'http' | 'stream'; start?: string; cardTemplateId?: string; stream?: DingtalkOptions['stream']; publicUrl?: string } = {},
): Promise<Harness> {
  const clock = new FakeClock(new Date(o.start ?? '2026-11-23T10:00:00+08:00'));
  const config = parseConfig({
    log: { level: 'silent' },
    database: { file: ':memory:' },
    // The per-group budget (20/min) is real-time pacing; tests run many messages in a second.
    outbox: { rateLimits: { dingtalk: { appPerSecond: 10_000, chatPerMinute: 1_000_000 } } },
    server: o.publicUrl ? { publicUrl: o.publicUrl } : undefined,
    platforms: {
      sandbox: { enabled: false },
      dingtalk: {
        enabled: true,
        mode: o.mode ?? 'http',
        clientId: CLIENT_ID,
        clientSecret: SECRET,
        robotCode: CLIENT_ID,
        cardTemplateId: o.cardTemplateId ?? TEMPLATE,
        apiBase: fake.url,
        oapiBase: fake.url,
      },
    },
  });
  const { rt, core, module } = await startDingtalkRuntime(config, { clock, log: pino({ level: 'silent' }), stream: o.stream });
  return { rt, core, module, clock, fake, msgSeq: 0 };
}

/** A runtime with the DingTalk module created by the test (so the test holds it and its core). */
export async function startDingtalkRuntime(
  config: Config,
  o: { clock: FakeClock; log: Logger; stream?: DingtalkOptions['stream'] },
): Promise<{ rt: Runtime; core: Core; module: DingtalkModule }> {
  let core!: Core;
  let module!: DingtalkModule;
  const rt = await createRuntime(config, {
    clock: o.clock,
    log: o.log,
    extraModules: [
      (c) => {
        core = c;
        module = createDingtalk(c, { stream: o.stream });
        return module;
      },
    ],
  });
  return { rt, core, module };
}

export interface MessageOpts {
  msgId?: string;
  /** People @-ed besides the bot, in the order written. */
  at?: Person[];
  session?: string;
  /** Session webhook lifetime from now (DingTalk: ~90 min). */
  sessionTtlMs?: number;
  conversationId?: string;
}

/** A group robot message as DingTalk sends it: the bot's @ cut from the text, the space left. */
export function robotMessage(h: Harness, from: Person, text: string, o: MessageOpts = {}): Record<string, unknown> {
  const now = h.clock.now().getTime();
  const session = o.session ?? `s-${from.staffId}`;
  return {
    msgtype: 'text',
    text: { content: ` ${text}` },
    msgId: o.msgId ?? `msg${++h.msgSeq}==`,
    createAt: now,
    conversationType: '2',
    conversationId: o.conversationId ?? CID,
    conversationTitle: '【技术部】接口联调',
    senderId: from.dingtalkId,
    senderNick: from.nick,
    senderCorpId: 'dingcorp1',
    senderStaffId: from.staffId,
    chatbotUserId: BOT,
    chatbotCorpId: 'dingcorp1',
    robotCode: CLIENT_ID,
    isAdmin: false,
    isInAtList: true,
    atUsers: [{ dingtalkId: BOT }, ...(o.at ?? []).map((p) => ({ dingtalkId: p.dingtalkId, staffId: p.staffId }))],
    sessionWebhook: h.fake.sessionUrl(session),
    sessionWebhookExpiredTime: now + (o.sessionTtlMs ?? 5_400_000),
  };
}

/** POSTs a signed robot callback through the real route. */
export async function postEvent(h: Harness, body: unknown, o: { timestamp?: string; sign?: string; raw?: string } = {}) {
  const ts = o.timestamp ?? String(h.clock.now().getTime());
  return h.rt.app.inject({
    method: 'POST',
    url: '/dingtalk/events',
    headers: { 'content-type': 'application/json; charset=utf-8', timestamp: ts, sign: o.sign ?? robotSign(ts) },
    payload: o.raw ?? JSON.stringify(body),
  });
}

/**
 * Waits until stored inbound events are processed, then delivers the outbox. Rows the outbox's
 * rate limiter postponed (DingTalk: ~20 messages a minute per group) are let through by moving
 * the fake clock to their slot; rows waiting to retry a failure (attempts > 0) are not.
 */
export async function settle(h: Harness): Promise<void> {
  const q = h.rt.db.$client.prepare(`select count(*) as n from inbound_events where status = 'pending'`);
  for (let i = 0; i < 500 && (q.get() as { n: number }).n > 0; i++) await new Promise((r) => setTimeout(r, 2));
  const postponed = h.rt.db.$client.prepare(
    `select min(next_attempt_at) as t from outbox where status = 'pending' and attempts = 0 and next_attempt_at > ?`,
  );
  for (let i = 0; i < 100; i++) {
    await h.rt.dispatcher.idle();
    await h.rt.dispatcher.drain();
    await h.rt.dispatcher.idle();
    const next = (postponed.get(h.clock.now().getTime()) as { t: number | null }).t;
    if (next === null) break;
    h.clock.set(new Date(next));
  }
}

/** `from` says `text` in the group (HTTP mode), and everything it causes is delivered. */
export async function say(h: Harness, from: Person, text: string, o: MessageOpts = {}) {
  const res = await postEvent(h, robotMessage(h, from, text, o));
  if (res.statusCode !== 200) throw new Error(`event refused: ${res.statusCode} ${res.body}`);
  await settle(h);
  return res;
}

export type Slot = 'btn1' | 'btn2' | 'btn3' | 'form';

/** The callback params the shipped template sends for a button slot (cards/dingtalk/). */
export function slotParams(card: Record<string, string>, slot: Slot, form?: Record<string, string>): Record<string, unknown> {
  if (card[`${slot}_visible`] !== 'true') throw new Error(`slot ${slot} is not visible`);
  return {
    action: card[`${slot}_action`],
    itemId: card[`${slot}_item`],
    version: card[`${slot}_version`],
    for: card[`${slot}_for`],
    ...(form ? { form } : {}),
  };
}

export function cardCallback(outTrackId: string, who: Person, params: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'actionCallback',
    outTrackId,
    corpId: 'dingcorp1',
    userId: who.staffId,
    content: JSON.stringify({ cardPrivateData: { actionIds: [String(params.action ?? '')], params } }),
  };
}

/** `who` clicks a slot of the card `outTrackId` as it looks now at the fake (HTTP callback). */
export async function click(h: Harness, outTrackId: string, who: Person, slot: Slot, form?: Record<string, string>) {
  const card = h.fake.cardState(outTrackId);
  if (!card) throw new Error(`no card ${outTrackId}`);
  const ts = String(h.clock.now().getTime());
  const res = await h.rt.app.inject({
    method: 'POST',
    url: '/dingtalk/card',
    headers: { 'content-type': 'application/json', 'x-ddpaas-signature-timestamp': ts, 'x-ddpaas-signature': cardSign(ts) },
    payload: JSON.stringify(cardCallback(outTrackId, who, slotParams(card, slot, form))),
  });
  await settle(h);
  return { status: res.statusCode, body: res.json() as { userPrivateData?: { cardParamMap: { notice: string } } } };
}

export function count(h: Harness, table: string): number {
  return (h.rt.db.$client.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
}

/** The card created for `who` whose title contains `title` (latest first). */
export function cardFor(h: Harness, title: string, who: Person): string {
  const found = [...h.fake.cardCreates]
    .reverse()
    .find((c) => c.body.cardData.cardParamMap.title?.includes(title) && Object.keys(c.body.imGroupOpenDeliverModel.atUserIds ?? {}).includes(who.staffId));
  if (!found) throw new Error(`no ${title} card for ${who.nick}`);
  return found.body.outTrackId;
}
