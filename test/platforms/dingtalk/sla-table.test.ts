// DingTalk cards cannot draw a chart: the weekly trend comes as its numbers, in the template
// card's body and in the markdown fallback alike.

import { describe, expect, it } from 'vitest';
import type { Card } from '../../../src/domain/card.ts';
import { cardAsMarkdown, renderCard } from '../../../src/platforms/dingtalk/dingtalk.render.ts';

const card: Card = {
  header: { title: '【周报】项目 协作进展', color: 'blue' },
  fields: [],
  markdown: ['**SLA 达标（近 7 天）**\n- 合计：按时 3 · 超时 1'],
  charts: [{ title: 'SLA 按时 / 超时（按周）', kind: 'bar', labels: ['2026-W47', '2026-W48'], series: [{ name: '按时', values: [2, 3] }, { name: '超时', values: [0, 1] }] }],
  buttons: [],
  mentions: [],
  summary: '协作周报',
};

describe('DingTalk: a chart becomes its table', () => {
  it('lists every week with the numbers of each series', () => {
    for (const text of [renderCard(card).params.body, cardAsMarkdown(card).text]) {
      expect(text).toContain('SLA 按时 / 超时（按周）');
      expect(text).toMatch(/2026-W47：按时 2 · 超时 0/);
      expect(text).toMatch(/2026-W48：按时 3 · 超时 1/);
    }
  });
});
