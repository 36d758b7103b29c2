// The monthly summary card on each platform: its archive URL arrives whole and linkable (a bare
// URL, no label hiding it), and the people in its `mention` list (抄送: the group's leader) become
// real @mentions where the platform can mention them.

import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { WorkCalendar } from '../../src/domain/calendar.ts';
import type { Card } from '../../src/domain/card.ts';
import { monthlySummaryCard } from '../../src/engine/monthly.ts';
import { cardAsMarkdown, renderCard as dingtalkCard } from '../../src/platforms/dingtalk/dingtalk.render.ts';
import { renderCard as feishuCard } from '../../src/platforms/feishu/feishu.render.ts';
import { A, Conversation } from '../engine/driver.ts';

const URL_ = 'https://bot.example.com/files/eyJjaGF0SWQiOiJ4In0.abcDEF123_-xyz';
const cfg = parseConfig({ log: { level: 'silent' } });

async function summary(mention: string[]): Promise<Card> {
  const c = new Conversation('2026-10-12T10:00:00+08:00');
  await c.say(A, '/设置 project:双十一大促 dept:技术部');
  await c.say(A, '/需求 活动页面 to:@李四 截止:2026-11-06');
  const card = monthlySummaryCard(c.repo, new WorkCalendar(cfg.calendar), cfg, 'sandbox:g1', '2026-10', new Date('2026-10-30T17:10:00+08:00'), {
    archiveUrl: URL_,
    linkValidFor: '7 天',
    mention,
  });
  return { ...card!, mentions: card!.mentions.map((m) => ({ id: m.id, name: '赵六' })) };
}

describe('the monthly summary on every platform', () => {
  it('the mention list is copied on the card (抄送) and listed for the renderers', async () => {
    const card = await summary(['feishu:ou_leader']);
    expect(card.markdown[0]).toBe('抄送：<@feishu:ou_leader>');
    expect(card.mentions).toEqual([{ id: 'feishu:ou_leader', name: '赵六' }]);
    expect((await summary([])).markdown.join('\n')).not.toContain('抄送');
  });

  it('Feishu: the URL is in a markdown element as typed, the leader an <at>', async () => {
    const json = JSON.stringify(feishuCard(await summary(['feishu:ou_leader'])));
    expect(json).toContain('技术部-2026-10-双十一大促.xlsx');
    expect(json).toContain(`\\n${URL_}`);
    expect(json).toContain('<at id=ou_leader></at>');
  });

  it('DingTalk: the URL reaches the template card and the markdown fallback whole, the leader an atId', async () => {
    const card = await summary(['dingtalk:leader01']);
    for (const text of [dingtalkCard(card).params.body!, cardAsMarkdown(card).text]) {
      expect(text).toContain('技术部-2026-10-双十一大促.xlsx');
      expect(text).toContain(`\n${URL_}`);
    }
    expect(dingtalkCard(card).params.body).toContain('<a atId=leader01>赵六</a>');
  });

  it('sandbox: the page links the URL and shows the leader as a mention', async () => {
    const window: { GFText?: { esc(s: string): string; make(m: (id: string) => string): { markdown(t: string): string } } } = {};
    runInNewContext(readFileSync(new URL('../../src/platforms/sandbox/richtext.js', import.meta.url), 'utf8'), { window });
    const t = window.GFText!.make((id) => `<m>${id}</m>`);
    const html = (await summary(['sandbox:leader'])).markdown.map((m) => t.markdown(m)).join('\n');
    expect(html).toContain(`<a href="${URL_}" target="_blank" rel="noopener noreferrer">${URL_}</a>`);
    expect(html).toContain('<m>sandbox:leader</m>');
  });
});
