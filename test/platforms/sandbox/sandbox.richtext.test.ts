// The page's rich-text renderer (plain browser JS), run in a VM: escaping comes first, so no
// user text can become markup; mentions, bold, bare links and lists render as intended.

import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

type Names = Map<string, string>;
interface Text {
  inline(t: string, n?: Names): string;
  markdown(t: string, n?: Names): string;
  plain(t: string, n?: Names): string;
}

const window: { GFText?: { esc(s: string): string; make(m: (id: string, n?: Names) => string): Text } } = {};
runInNewContext(readFileSync(new URL('../../../src/platforms/sandbox/richtext.js', import.meta.url), 'utf8'), { window });
const { esc, make } = window.GFText!;
const t = make((id, names) => `<m>${esc(names?.get(id) ?? id)}</m>`);

describe('sandbox page rich text', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['**粗体** 和 *不是*', '<strong>粗体</strong> 和 *不是*'],
    ['**<b>x</b>**', '<strong>&lt;b&gt;x&lt;/b&gt;</strong>'],
    ['证据：https://example.com/r。', '证据：<a href="https://example.com/r" target="_blank" rel="noopener noreferrer">https://example.com/r</a>。'],
    ['see https://a.example/x?y=1&z=2.', 'see <a href="https://a.example/x?y=1&amp;z=2" target="_blank" rel="noopener noreferrer">https://a.example/x?y=1&amp;z=2</a>.'],
    // A typed markdown link stays text: its label never hides the target, which is linked as typed.
    ['[文档](https://a.example/d)', '[文档](<a href="https://a.example/d" target="_blank" rel="noopener noreferrer">https://a.example/d</a>)'],
    ['[x](javascript:alert(1))', '[x](javascript:alert(1))'],
    ['"><a href=x>', '&quot;&gt;&lt;a href=x&gt;'],
    ['`/帮助 需求`', '<code>/帮助 需求</code>'],
    ['请 <@sandbox:lisi> 确认', '请 <m>李四</m> 确认'],
    ['**<@sandbox:lisi>** 已确认', '<strong><m>李四</m></strong> 已确认'],
    // Token ids follow chat.ts (anything but <, > and spaces); the mention renderer escapes them.
    ['<@x"><script>>', '<m>x&quot;</m>&lt;script&gt;&gt;'],
  ])('%s', (src, html) => {
    expect(t.inline(src, new Map([['sandbox:lisi', '李四']]))).toBe(html);
  });

  it('renders paragraphs, line breaks, lists and headings', () => {
    expect(t.markdown('**历史记录**\n- 一\n- 二 <@u>\n\n# 标题\n第一行\n第二行')).toBe(
      '<p><strong>历史记录</strong></p><ul><li>一</li><li>二 <m>u</m></li></ul><p class="h">标题</p><p>第一行<br>第二行</p>',
    );
    expect(t.plain('a\n<b>')).toBe('a<br>&lt;b&gt;');
  });
});
