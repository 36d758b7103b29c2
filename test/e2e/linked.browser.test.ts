// `npm run demo`'s linked groups in the sandbox, side by side: the internal group drawn as Feishu,
// the supplier's as DingTalk, the same request in both, the internal note in one only.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../scripts/demo.ts';
import { type BrowserSession, canRun, startSession } from './browser.ts';

describe.skipIf(!canRun)('linked groups side by side in the sandbox', () => {
  let s: BrowserSession;
  let linked: { internal: string; external: string };

  beforeAll(async () => {
    s = await startSession();
    linked = await seedDemo(s.rt);
    await s.rt.dispatcher.drain();
  }, 60_000);
  afterAll(async () => {
    await s?.browser.close();
    await s?.rt.close();
  });

  it('/sandbox/split shows both groups, marked 飞书 and 钉钉; the supplier sees the request and its card, never the internal note', async () => {
    const problems: string[] = [];
    s.page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await s.page.goto(`${s.base}/sandbox/split?chats=${encodeURIComponent(linked.internal)},${encodeURIComponent(linked.external)}`);
    const frames = s.page.locator('iframe');
    expect(await frames.count()).toBe(2);
    const left = s.page.frameLocator('iframe').nth(0);
    const right = s.page.frameLocator('iframe').nth(1);
    await expect.poll(() => left.locator('#chat-title').innerText()).toContain('【采购部】芯片备货');
    expect(await left.locator('#chat-title .look').innerText()).toBe('飞书');
    await expect.poll(() => right.locator('#chat-title').innerText()).toContain('B电子 × 我司 备货群');
    expect(await right.locator('#chat-title .look').innerText()).toBe('钉钉');
    // The supplier's group: the link, the confirmation card its contact clicked, his question.
    await expect.poll(() => right.locator('#messages').innerText()).toContain('交期能否提前到下周三');
    const outside = await right.locator('#messages').innerText();
    expect(outside).toContain('本群已关联到');
    expect(outside).toContain('需求确认');
    expect(outside).not.toContain('报价留余地');
    // The internal group has the note.
    await expect.poll(() => left.locator('#messages').innerText()).toContain('芯片备货');
    expect(await left.locator('#messages').innerText()).toContain('关联码');
    expect(problems).toEqual([]);
  });

  it('/sandbox/split refuses a group that does not exist', async () => {
    const res = await fetch(`${s.base}/sandbox/split?chats=${encodeURIComponent(linked.internal)},sandbox:nope`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('请给出两个已有的群');
  });
});
