// Head-of-line blocking over DingTalk: one /需求 with 300 contacts (the fan-out cap raised for the
// test) queues 300 card creates in group 1; a /帮助 in group 2 must be answered within group 2's
// own pacing, not after group 1's backlog. The group budget is set to 5 a second (300/min, as an
// edition with a higher group limit would configure it), so group 1 is paced inside a drain.
// Signed robot callbacks through the real route, the fake OpenAPI recording what arrives.

import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.ts';
import { FakeClock } from '../../../src/domain/clock.ts';
import type { Runtime } from '../../../src/runtime.ts';
import { FakeDingtalk } from '../../fakes/dingtalk.fake.ts';
import { A, B, CLIENT_ID, type Harness, type Person, postEvent, robotMessage, SECRET, startDingtalkRuntime, TEMPLATE } from './harness.ts';

const CONTACTS: Person[] = Array.from({ length: 300 }, (_, k) => ({ staffId: `m${k}`, nick: `成员${k}`, dingtalkId: `$:LWCP_v1:$m${k}==`, id: `dingtalk:m${k}` }));

let rt: Runtime | undefined;
let fake: FakeDingtalk | undefined;
afterEach(async () => {
  await rt?.close();
  await fake?.stop();
  rt = fake = undefined;
});

async function boot(): Promise<Harness> {
  fake = await new FakeDingtalk().start();
  const clock = new FakeClock(new Date('2026-11-23T10:00:00+08:00'));
  const config = parseConfig({
    log: { level: 'silent' },
    database: { file: ':memory:' },
    limits: { peoplePerItem: 300, mentionsPerMessage: 300 },
    outbox: { rateLimits: { dingtalk: { appPerSecond: 20, chatPerMinute: 300 } } },
    platforms: {
      sandbox: { enabled: false },
      dingtalk: { enabled: true, mode: 'http', clientId: CLIENT_ID, clientSecret: SECRET, robotCode: CLIENT_ID, cardTemplateId: TEMPLATE, apiBase: fake.url, oapiBase: fake.url },
    },
  });
  const started = await startDingtalkRuntime(config, { clock, log: pino({ level: 'silent' }) });
  rt = started.rt;
  return { ...started, clock, fake, msgSeq: 0 };
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (const end = performance.now() + ms; performance.now() < end; ) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

describe('fair delivery over DingTalk', () => {
  it("a group working through 300 cards at its pace does not hold back another group's /帮助", async () => {
    const h = await boot();
    const raise = robotMessage(h, A, `/需求 全员联调 协作:${CONTACTS.map((p) => `@${p.nick}`).join(' ')} 截止:2027-03-31`, { at: CONTACTS });
    expect((await postEvent(h, raise)).statusCode).toBe(200);
    expect(await until(() => h.fake.cardCreates.length >= 6, 5000)).toBe(true);

    const t0 = performance.now();
    const help = robotMessage(h, B, '/帮助', { conversationId: 'cidQuiet==', session: 's-quiet' });
    expect((await postEvent(h, help)).statusCode).toBe(200);
    const answered = await until(() => h.fake.sessionSends.some((s) => s.session === 's-quiet'), 5000);
    const waited = performance.now() - t0;
    const cardsAtAnswer = h.fake.cardCreates.length;
    expect(answered).toBe(true);
    expect(waited).toBeLessThan(2000);
    // Answered while group 1 still had most of its 300 cards to go.
    expect(cardsAtAnswer).toBeLessThan(30);
    expect(h.rt.repo.people(1)).toHaveLength(300);
  }, 30_000);
});
