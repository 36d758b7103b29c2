// Replayed and stale card clicks over Feishu, as an attacker (or a flaky network) would send
// them: the exact signed bytes of a click sent again after the in-memory click memo has
// forgotten it, and a click built from a card as it looked before the item moved on.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, B, C, CHAT, FeishuHarness } from '../../fakes/feishu.harness.ts';
import { buttonsOf } from '../../fakes/feishu.fake.ts';
import { cardClick, signedRequest } from '../../fakes/feishu.wire.ts';

let h: FeishuHarness;
beforeEach(async () => {
  h = await FeishuHarness.create();
});
afterEach(async () => {
  await h.close();
});

type Toast = { toast: { type: string; content: string } };

const objections = () => h.rt.repo.history(1).filter((x) => x.action === 'object');
const announced = () => h.texts().filter((t) => t.includes('提出异议：')).length;

describe('replayed Feishu card callbacks', () => {
  it('the exact signed objection sent again 11 s later acts once and is answered harmlessly', async () => {
    await h.says(A, '@{ou_bot} /需求 接口联调 协作:@{ou_bob} @{ou_carol} 截止:周五 标准:联调通过');
    const card = h.cardFor('需求确认', B);
    const b = buttonsOf(card.card).find((x) => x.label === '提出异议')!;
    const env = cardClick(h.secrets, h.rt.clock.now(), {
      operator: B,
      chatId: CHAT,
      messageId: card.messageId,
      value: b.value,
      name: b.name,
      form: { reason: '接口文档还没定稿' },
    });
    const wire = signedRequest(env, h.secrets, h.rt.clock.now());
    const first = await h.post('/feishu/card', wire.payload, wire.headers);
    expect((first.json() as Toast).toast.type).toBe('success');
    await h.settle();
    expect(objections()).toHaveLength(1);
    expect(announced()).toBe(1);

    // Byte for byte, once the 10 s click memo has let go (still inside the signature window).
    h.rt.clock.advance(11_000);
    const again = await h.post('/feishu/card', wire.payload, wire.headers);
    await h.settle();
    expect(again.status).toBe(200);
    expect((again.json() as Toast).toast.content).toContain('已处理');
    expect(objections()).toHaveLength(1);
    expect(announced()).toBe(1);
    expect(h.rt.repo.people(1).find((p) => p.userId === `feishu:${B.openId}`)?.note).toBe('接口文档还没定稿');
  });

  it('a click from a card older than the item is refused, even when it would not change the state', async () => {
    await h.says(A, '@{ou_bot} /需求 接口联调 协作:@{ou_bob} @{ou_carol} 截止:周五 标准:联调通过');
    // B's card as first rendered (version 1), kept aside.
    const old = h.cardFor('需求确认', B);
    const oldObject = buttonsOf(old.card).find((x) => x.label === '提出异议')!;
    // C objects: the request is now objected, every card re-rendered at the new version.
    await h.clicks(C, h.cardFor('需求确认', C), '提出异议', { reason: '排期冲突' });
    expect(h.state(1)).toBe('objected');
    const version = h.rt.repo.getItem(1)!.version;
    expect(oldObject.value.version).toBeLessThan(version);

    // B's objection from the old card would be objected → objected: refused as stale.
    h.rt.clock.advance(1000);
    const env = cardClick(h.secrets, h.rt.clock.now(), {
      operator: B,
      chatId: CHAT,
      messageId: old.messageId,
      value: oldObject.value,
      name: oldObject.name,
      form: { reason: '旧卡片上的异议' },
    });
    const res = (await h.push('/feishu/card', env)).json() as Toast & { card?: unknown };
    await h.settle();
    expect(res.toast.type).toBe('error');
    expect(res.toast.content).toContain('卡片已更新');
    expect(objections()).toHaveLength(1);
    expect(h.rt.repo.getItem(1)!.version).toBe(version);
    // The answer carries the card as it is now, so B can act on the current version at once.
    expect(JSON.stringify(res.card)).toContain(`"version":${version}`);
  });
});
