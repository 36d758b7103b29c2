// The fair pick on its own: turns across chats, each chat under its own budget, the app budget
// shared, with the limiter's clock moved by hand.

import { describe, expect, it } from 'vitest';
import { type ChatHead, FairPicker } from '../../src/scheduler/fair.ts';
import { RateLimiter } from '../../src/scheduler/rate-limit.ts';

const head = (id: number, chatId: string): ChatHead => ({ id, platform: 'feishu', chatId });

/** Runs `rounds` picks, `stepMs` apart, every chat always having a next row; returns the chats served. */
function run(picker: FairPicker, chats: ChatHead[], rounds: number, stepMs: number): string[][] {
  const served: string[][] = [];
  for (let r = 0; r < rounds; r++) served.push(picker.pick(chats, r * stepMs).send.map((h) => h.chatId));
  return served;
}

describe('fair pick', () => {
  it('a chat whose budget is spent is skipped, not waited on, and the wait until its slot is reported', () => {
    const picker = new FairPicker(new RateLimiter({ feishu: { appPerSecond: 50, chatPerMinute: 300 } }));
    const busy = head(1, 'feishu:busy');
    for (let k = 0; k < 5; k++) expect(picker.pick([busy], 0).send).toEqual([busy]); // the chat's burst of 5
    const pick = picker.pick([busy, head(400, 'feishu:quiet')], 0);
    expect(pick.send.map((h) => h.chatId)).toEqual(['feishu:quiet']);
    expect(pick.waitMs).toBe(200); // 5 a second
    expect(picker.pick([busy], 200).send).toEqual([busy]);
  });

  it('when the shared app budget allows one send per round, the chats take turns instead of the oldest backlog taking all', () => {
    // One send a second for the whole app; each chat alone could send far more.
    const picker = new FairPicker(new RateLimiter({ feishu: { appPerSecond: 1, chatPerMinute: 6000 } }));
    const a = head(1, 'feishu:a');
    const b = head(2, 'feishu:b');
    const c = head(3, 'feishu:c');
    expect(run(picker, [a, b, c], 6, 1000)).toEqual([['feishu:a'], ['feishu:b'], ['feishu:c'], ['feishu:a'], ['feishu:b'], ['feishu:c']]);
  });

  it("a chat never served goes first, ahead of chats that were (its head row is newer than all of theirs)", () => {
    const picker = new FairPicker(new RateLimiter({ feishu: { appPerSecond: 1, chatPerMinute: 6000 } }));
    const a = head(1, 'feishu:a');
    const b = head(2, 'feishu:b');
    run(picker, [a, b], 2, 1000);
    const late = head(900, 'feishu:late');
    expect(picker.pick([a, b, late], 2000).send).toEqual([late]);
    expect(picker.pick([a, b, late], 3000).send).toEqual([a]);
  });

  it('the budgets are per platform: a spent DingTalk budget does not hold back Feishu chats', () => {
    const picker = new FairPicker(new RateLimiter({ feishu: { appPerSecond: 50, chatPerMinute: 300 }, dingtalk: { appPerSecond: 1, chatPerMinute: 20 } }));
    const d1 = { id: 1, platform: 'dingtalk', chatId: 'dingtalk:c1' };
    const d2 = { id: 2, platform: 'dingtalk', chatId: 'dingtalk:c2' };
    const f = head(3, 'feishu:f');
    const pick = picker.pick([d1, d2, f], 0);
    expect(pick.send.map((h) => h.chatId)).toEqual(['dingtalk:c1', 'feishu:f']);
    expect(pick.waitMs).toBe(1000);
  });
});
