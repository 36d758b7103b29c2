// Head-of-line blocking, as a busy group causes it: one /需求 with 300 contacts (the fan-out cap
// raised for the test) queues 300 cards in group 1, paced at Feishu's 5 messages a second per
// group; a /帮助 in group 2 must be answered within group 2's own pacing, long before group 1's
// backlog is through. Real webhooks (signed, encrypted) against the fake OpenAPI, default rates.

import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.ts';
import { FakeClock } from '../../../src/domain/clock.ts';
import { createFeishu } from '../../../src/platforms/feishu/index.ts';
import { createRuntime, type Runtime } from '../../../src/runtime.ts';
import { MONDAY_10AM } from '../../helpers/runtime.ts';
import { FakeFeishu } from '../../fakes/feishu.fake.ts';
import { A, B, BOT } from '../../fakes/feishu.harness.ts';
import { type Person, signedRequest, textMessage, type WireSecrets } from '../../fakes/feishu.wire.ts';

const SECRETS: WireSecrets = { encryptKey: 'ek-fair-5b1e0c', verificationToken: 'vt-fair-77a2d9', appId: 'cli_fa1r000000000001' };
const BUSY = 'oc_busy_group';
const QUIET = 'oc_quiet_group';
const CONTACTS: Person[] = Array.from({ length: 300 }, (_, k) => ({ openId: `ou_member${k}`, name: `成员${k}` }));

let rt: Runtime | undefined;
let fake: FakeFeishu | undefined;
afterEach(async () => {
  await rt?.close();
  await fake?.stop();
  rt = fake = undefined;
});

async function boot(limits?: { peoplePerItem: number; mentionsPerMessage: number }): Promise<{ rt: Runtime; fake: FakeFeishu; clock: FakeClock }> {
  fake = await new FakeFeishu().start();
  const config = parseConfig({
    log: { level: 'silent' },
    database: { file: ':memory:' },
    ...(limits ? { limits } : {}),
    platforms: {
      sandbox: { enabled: false },
      feishu: { enabled: true, appId: SECRETS.appId, appSecret: 'app-secret-x', encryptKey: SECRETS.encryptKey, verificationToken: SECRETS.verificationToken, domain: fake.url },
    },
  });
  const clock = new FakeClock(new Date(MONDAY_10AM));
  rt = await createRuntime(config, { clock, log: pino({ level: 'silent' }), extraModules: [(core) => createFeishu(core, { timeoutMs: 2000, readyTimeoutMs: 3000 })] });
  return { rt, fake, clock };
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (const end = performance.now() + ms; performance.now() < end; ) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

describe('fair delivery over Feishu', () => {
  it("a group working through 300 cards at its pace does not hold back another group's /帮助", async () => {
    const { rt, fake, clock } = await boot({ peoplePerItem: 300, mentionsPerMessage: 300 });
    const push = (chatId: string, sender: Person, text: string, people: Person[], messageId?: string) =>
      rt.app.inject({ method: 'POST', url: '/feishu/events', ...toInject(signedRequest(textMessage(SECRETS, clock.now(), { chatId, sender, text, people, messageId }), SECRETS, clock.now())) });

    const raise = `@{ou_bot} /需求 全员联调 协作:${CONTACTS.map((p) => `@{${p.openId}}`).join(' ')} 截止:2027-03-31`;
    expect((await push(BUSY, A, raise, [A, BOT, ...CONTACTS])).statusCode).toBe(200);
    const cards = () => fake.sent.filter((s) => s.msgType === 'interactive').length;
    // Group 1's backlog is being paced out.
    expect(await until(() => cards() >= 6, 5000)).toBe(true);

    const t0 = performance.now();
    expect((await push(QUIET, B, '@{ou_bot} /帮助', [B, BOT], 'om_help_quiet')).statusCode).toBe(200);
    const answered = await until(() => fake.sent.some((s) => s.kind === 'reply' && s.target === 'om_help_quiet'), 5000);
    const waited = performance.now() - t0;
    const cardsBefore = fake.sent.findIndex((s) => s.target === 'om_help_quiet');
    expect(answered).toBe(true);
    expect(waited).toBeLessThan(2000);
    // Answered while group 1 still had most of its 300 cards to go.
    expect(fake.sent.slice(0, cardsBefore).filter((s) => s.msgType === 'interactive').length).toBeLessThan(30);
    expect(rt.repo.people(1)).toHaveLength(300);
  }, 30_000);
});

describe('fan-out cap over Feishu', () => {
  it('a /需求 @-ing 25 contacts (the default cap is 20) is answered with the limit and creates nothing', async () => {
    const { rt, fake, clock } = await boot();
    const many = CONTACTS.slice(0, 25);
    const text = `@{ou_bot} /需求 全员联调 协作:${many.map((p) => `@{${p.openId}}`).join(' ')} 截止:2027-03-31`;
    const env = textMessage(SECRETS, clock.now(), { chatId: BUSY, sender: A, text, people: [A, BOT, ...many], messageId: 'om_too_many' });
    expect((await rt.app.inject({ method: 'POST', url: '/feishu/events', ...toInject(signedRequest(env, SECRETS, clock.now())) })).statusCode).toBe(200);
    // The refusal is shown to the sender only (仅对你可见).
    expect(await until(() => fake.ephemerals.length > 0, 5000)).toBe(true);
    expect(fake.ephemerals).toHaveLength(1);
    expect(fake.ephemerals[0]!.openId).toBe(A.openId);
    expect(JSON.stringify(fake.ephemerals[0]!.card)).toContain('一次最多 @20 位对接人（这次有 25 位）');
    expect(fake.sent.filter((s) => s.msgType === 'interactive')).toEqual([]);
    expect(rt.db.$client.prepare('select count(*) as n from items').get()).toEqual({ n: 0 });
  });
});

function toInject(r: { payload: string; headers: Record<string, string> }) {
  return { payload: r.payload, headers: r.headers };
}
