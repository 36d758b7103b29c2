// Proactive messages (reminders) never use the reply-only session webhook: they go through the
// OpenAPI, as a card delivered with its @-user list so the person is really @mentioned.

import { describe, expect, it } from 'vitest';
import type { FakeDingtalk } from '../../fakes/dingtalk.fake.ts';
import { A, B, type Harness, harnessEachTest, say, settle } from './harness.ts';

let fake: FakeDingtalk;
let h: Harness;

harnessEachTest((f, x) => {
  fake = f;
  h = x;
});

describe('DingTalk reminders', () => {
  it('go through the OpenAPI as a card with the @-user list, even while a session webhook is valid', async () => {
    await say(h, A, '/反馈 @李四 接口文档什么时候给？ 紧急', { at: [B], sessionTtlMs: 4 * 3600_000 });
    const sessionsBefore = fake.sessionSends.length;
    const cardsBefore = fake.cardCreates.length;
    h.clock.advance(2 * 3600_000 + 60_000); // the urgent clock (2 h) ran out; A's webhook is still valid
    h.rt.scheduler.tick();
    await settle(h);
    expect(fake.sessionSends.length).toBe(sessionsBefore);
    const reminder = fake.cardCreates.slice(cardsBefore).find((c) => JSON.stringify(c.body).includes('协作提醒'));
    expect(reminder).toBeDefined();
    expect(JSON.stringify(reminder!.body)).toContain('u_b');
  });
});
