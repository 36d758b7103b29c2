// Clipping by UTF-8 bytes: never half a character, never half an emoji, never half a mention
// token; lists keep whole rows and say how many were left out.

import { describe, expect, it } from 'vitest';
import type { Card } from '../../src/domain/card.ts';
import { clipBytes, clipNote, clipText, fitCard, fitText, utf8Bytes } from '../../src/platforms/fit.ts';

const wellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

describe('clipBytes', () => {
  const samples = {
    chinese: '汉字'.repeat(50),
    emoji: '👍🏽😀👨‍👩‍👧'.repeat(20),
    mixed: 'a汉😀é'.repeat(40),
  };
  for (const [name, s] of Object.entries(samples)) {
    it(`cuts ${name} text only between characters, at every byte budget`, () => {
      for (let max = 0; max <= utf8Bytes(s) + 2; max++) {
        const c = clipBytes(s, max);
        expect(utf8Bytes(c)).toBeLessThanOrEqual(max);
        expect(wellFormed(c)).toBe(true);
        expect(c).not.toContain('\ufffd');
        if (utf8Bytes(s) <= max) expect(c).toBe(s);
        else if (max >= 3) {
          expect(c.endsWith('…')).toBe(true);
          expect(s.startsWith(c.slice(0, -1))).toBe(true);
          // Nothing that would still have fitted was thrown away (a char is at most 4 bytes;
          // a cut ZWJ sequence may drop its joiner too).
          expect(max - utf8Bytes(c)).toBeLessThan(8);
        }
      }
    });
  }

  it('never leaves half a mention token or a dangling joiner', () => {
    const s = `请 <@feishu:ou_abcdefgh> 确认`;
    for (let max = 4; max < utf8Bytes(s); max++) {
      const c = clipBytes(s, max);
      expect(c).not.toMatch(/<@[^>]*…$/);
    }
    expect(clipBytes('家人👨‍👩‍👧', utf8Bytes('家人👨‍') + 3)).toBe('家人👨…');
  });
});

describe('clipText', () => {
  it('keeps whole rows of a long list and counts the rest', () => {
    const rows = Array.from({ length: 300 }, (_, i) => `- #${i + 1} 第 ${i + 1} 项需求的标题`);
    const c = clipText(rows.join('\n'), 2000, '/列表');
    expect(utf8Bytes(c)).toBeLessThanOrEqual(2000);
    const kept = c.split('\n').slice(0, -1);
    expect(kept.every((l, i) => l === rows[i])).toBe(true);
    expect(c.split('\n').at(-1)).toBe(`…另有 ${300 - kept.length} 条未显示${clipNote('/列表')}`);
  });

  it('cuts one long paragraph with an ellipsis and the pointer', () => {
    const c = clipText('长'.repeat(5000), 1000, '/查看 #7');
    expect(utf8Bytes(c)).toBeLessThanOrEqual(1000);
    expect(c.endsWith('…（内容过长，完整内容请发送 /查看 #7）')).toBe(true);
  });
});

const card = (over: Partial<Card> = {}): Card => ({
  header: { title: '标题', color: 'blue' },
  fields: [],
  markdown: [],
  buttons: [],
  mentions: [],
  summary: '',
  more: '/查看 #3',
  ...over,
});

describe('fitCard / fitText', () => {
  // A renderer whose escaping quadruples `<`, as HTML-style escaping can.
  const esc = (s: string) => s.replace(/</g, '&lt;');
  const render = (c: Card) => [c.header.title, ...c.fields.map((f) => esc(f.value)), ...c.markdown.map(esc)].join('\n');

  it('measures after escaping and clips the largest part until the card fits', () => {
    const c = card({ fields: [{ label: '标准', value: '<'.repeat(3000) }], markdown: ['短', '<b>'.repeat(2000)] });
    const out = fitCard(c, { title: 100, summary: 100, tag: 20, field: 100_000, paragraph: 100_000 }, render, (r) => ({ total: utf8Bytes(r) - 5000 }));
    expect(utf8Bytes(out)).toBeLessThanOrEqual(5000);
    expect(out).toContain('短');
    expect(out).toContain('/查看 #3');
  });

  it('holds each group to its own limit and never fails', () => {
    const c = card({ header: { title: '题'.repeat(1000), color: 'blue' }, markdown: ['x'.repeat(50_000)] });
    const out = fitCard(c, { title: 60, summary: 60, tag: 20, field: 100, paragraph: 100_000 }, (x) => x, (x) => ({ markdown: utf8Bytes(x.markdown.join('')) - 300 }));
    expect(utf8Bytes(out.header.title)).toBeLessThanOrEqual(60);
    expect(out.header.title.endsWith('…')).toBe(true);
    expect(utf8Bytes(out.markdown.join(''))).toBeLessThanOrEqual(300);
    // The title had no room for the pointer; it is under the card.
    expect(out.markdown.at(-1)).toBe(clipNote('/查看 #3'));
  });

  it('clips a text by what the platform measures', () => {
    const msg = { type: 'text' as const, text: '长文本'.repeat(100_000), mentions: [], more: '/查看 #9' };
    const out = fitText(msg, (m) => JSON.stringify({ text: m.text }), utf8Bytes, 150 * 1024);
    expect(utf8Bytes(out)).toBeLessThanOrEqual(150 * 1024);
    expect(out).toContain('…（内容过长，完整内容请发送 /查看 #9）');
  });
});
