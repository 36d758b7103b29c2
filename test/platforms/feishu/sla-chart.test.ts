// The weekly report over the Feishu wire: its card carries the SLA compliance lines and a card
// JSON 2.0 `chart` element whose data are the clocks met and breached per week.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, B, C, FeishuHarness } from '../../fakes/feishu.harness.ts';
import { markdowns } from '../../fakes/feishu.fake.ts';

let h: FeishuHarness;
beforeEach(async () => {
  h = await FeishuHarness.create({ start: '2026-11-23T10:00:00+08:00' });
});
afterEach(async () => {
  await h.close();
});

interface Element {
  tag: string;
  chart_spec?: { type: string; data: { values: { x: string; series: string; y: number }[] }; xField: string; yField: string; seriesField: string };
}

function elementsOf(card: unknown): Element[] {
  return (card as { body: { elements: Element[] } }).body.elements;
}

describe('Feishu: the weekly report shows SLA compliance as a chart', () => {
  it('the /周报 card has a chart element with the week’s met and breached clocks', async () => {
    await h.says(A, '@{ou_bot} /反馈 @{ou_bob} 接口文档什么时候给？');
    await h.says(A, '@{ou_bot} /反馈 @{ou_carol} 测试环境谁负责？');
    h.rt.clock.set('2026-11-23T15:00:00+08:00');
    await h.says(B, '@{ou_bot} /回复 #1 周三给');
    h.rt.clock.set('2026-11-25T10:00:00+08:00');
    await h.says(C, '@{ou_bot} /回复 #2 我负责');
    await h.says(A, '@{ou_bot} /需求 上线支持 协作:@{ou_bob} 截止:下周五');
    await h.says(A, '@{ou_bot} /周报');

    const sent = h.fake.sent.filter((s) => s.msgType === 'interactive' && s.content.includes('【周报】')).at(-1);
    expect(sent).toBeDefined();
    const card = JSON.parse(sent!.content) as unknown;
    const charts = elementsOf(card).filter((e) => e.tag === 'chart');
    expect(charts).toHaveLength(1);
    const spec = charts[0]!.chart_spec!;
    expect(spec).toMatchObject({ type: 'bar', xField: 'x', yField: 'y', seriesField: 'series' });
    const values = spec.data.values;
    expect(values.filter((v) => v.x === '2026-W48')).toEqual([
      { x: '2026-W48', series: '按时', y: 1 },
      { x: '2026-W48', series: '超时', y: 1 },
    ]);
    // Six weeks of trend, the earlier ones empty.
    expect(new Set(values.map((v) => v.x)).size).toBe(6);
    expect(values.filter((v) => v.x !== '2026-W48').every((v) => v.y === 0)).toBe(true);
    const text = markdowns(card).join('\n');
    expect(text).toContain('合计：按时 1 · 超时 1 · 达标率 50%');
    expect(text).toMatch(/李四：按时 1 · 超时 0 · 达标率 100% · 中位 5 个工作小时/);
    expect(text).toMatch(/王五：按时 0 · 超时 1 .* 中位 18 个工作小时/);
  });
});
