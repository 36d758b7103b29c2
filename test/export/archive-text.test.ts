import { describe, expect, it } from 'vitest';
import { buildArchive } from '../../src/export/archive.ts';
import { csvField } from '../../src/export/csv.ts';
import { mdCell } from '../../src/export/markdown.ts';
import { parseCsv } from './csv.ts';
import { SHEETS } from './headers.ts';
import { CHAT, TZ, seed } from './seed.ts';

const NOW = new Date('2026-11-14T17:30:00Z');

describe('buildArchive csv', () => {
  it('is one UTF-8 file with a BOM: per table a title line, the header and the rows, tables separated by a blank line', async () => {
    const { db } = seed();
    const file = await buildArchive(db, { chatId: CHAT, format: 'csv', timezone: TZ, now: NOW });
    expect(file.filename).toBe('双十一大促-跨部门协作-20261115.csv');
    expect(file.contentType).toBe('text/csv; charset=utf-8');
    expect([...file.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);

    const text = file.body.toString('utf8').slice(1);
    const rows = parseCsv(text);
    // Sections: split at the empty lines between tables.
    const sections: string[][][] = [[]];
    for (const r of rows) {
      if (r.length === 1 && r[0] === '') sections.push([]);
      else sections.at(-1)!.push(r);
    }
    expect(sections.map((s) => s[0])).toEqual(SHEETS.map(([name]) => [name]));
    sections.forEach((s, i) => expect(s[1], SHEETS[i]![0]).toEqual(SHEETS[i]![1]));

    const requests = sections[0]!.slice(2);
    expect(requests.map((r) => r[0])).toEqual(['#1', '#10']);
    expect(requests[0]!.slice(0, 6)).toEqual(['#1', '2026-市-001', '双十一大促活动页面与库存保障', '市场部', '张伟', '李娜、王强、赵敏']);
    // Times as local wall-clock text.
    expect(requests[0]![10]).toBe('2026-11-10 18:00');
    // Multi-line text, commas and quotes survive quoting; a formula-like cell is neutralised.
    expect(requests[1]![6]).toBe('第一行\n第二行, 含逗号和"引号"');
    expect(requests[1]![2]).toBe("'=客服话术|培训");

    const tasks = sections[2]!.slice(2);
    expect(tasks[0]![9]).toBe('100%');
    const progress = sections[3]!.slice(2);
    expect(progress.map((r) => [r[0], r[1], r[5]])).toEqual([
      ['2026-11-04 16:30', '#2', '40%'],
      ['2026-11-05 16:00', '#3', '60%'],
      ['2026-11-06 16:50', '#2', '80%'],
    ]);
    expect(sections[8]!.slice(2)).toHaveLength(2);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('quotes only what needs quoting and leaves plain numbers alone', () => {
    expect(csvField('普通文本')).toBe('普通文本');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=1+2')).toBe("'=1+2");
    expect(csvField('@张三 看一下')).toBe("'@张三 看一下");
    expect(csvField('-5')).toBe('-5');
    expect(csvField('+40%')).toBe('+40%');
  });
});

describe('buildArchive md', () => {
  it('has a title, the scope, and a heading with a table per seed table', async () => {
    const { db } = seed();
    const file = await buildArchive(db, { chatId: CHAT, format: 'md', timezone: TZ, now: NOW });
    expect(file.filename).toBe('双十一大促-跨部门协作-20261115.md');
    expect(file.contentType).toBe('text/markdown; charset=utf-8');
    const md = file.body.toString('utf8');
    const lines = md.split('\n');
    expect(lines[0]).toBe('# 双十一大促 协作归档');
    expect(md).toContain('- 项目：双十一大促');
    expect(md).toContain('- 范围：本群全部事项');
    expect(md).toContain('- 导出时间：2026-11-15 01:30（Asia/Shanghai）');

    for (const [name, headers] of SHEETS) {
      const at = lines.indexOf(`## ${name}`);
      expect(at, name).toBeGreaterThan(0);
      expect(lines[at + 2]).toBe(`| ${headers.join(' | ')} |`);
      expect(lines[at + 3]).toBe(`|${headers.map(() => ' --- ').join('|')}|`);
    }
    const reqAt = lines.indexOf('## 协作需求发起表');
    expect(lines[reqAt + 4]).toMatch(/^\| #1 \| 2026-市-001 \| 双十一大促活动页面与库存保障 \| 市场部 \| 张伟 \|/);
    // "|" is escaped, line breaks become <br>, so every row keeps its column count.
    const row10 = lines[reqAt + 5]!;
    expect(row10).toContain('=客服话术\\|培训');
    expect(row10).toContain('第一行<br>第二行, 含逗号和"引号"');
    expect(row10.split(/(?<!\\)\|/).length - 2).toBe(SHEETS[0]![1].length);
    expect(md).toContain('| 2026-11-06 16:50 | #2 | 活动页面前端开发 | 赵敏 | 进行中 | 80% | 接口联调延迟 | 后端加派一人支援 |  | 赵敏 |');
  });

  it('scopes to one request and says so; an empty table says 无记录', async () => {
    const { db } = seed();
    const md = (await buildArchive(db, { chatId: CHAT, itemId: 10, format: 'md', timezone: TZ, now: NOW })).body.toString('utf8');
    expect(md).toContain('- 范围：#10 =客服话术|培训 及其下属事项');
    const lines = md.split('\n');
    const at = lines.indexOf('## 问题跟踪表');
    expect(lines.slice(at + 4, at + 6)).toEqual(['', '（无记录）']);
  });

  it('escapes cells', () => {
    expect(mdCell('a|b')).toBe('a\\|b');
    expect(mdCell('a\\|b')).toBe('a\\\\\\|b');
    expect(mdCell('x\ny')).toBe('x<br>y');
    expect(mdCell('<script>')).toBe('&lt;script&gt;');
  });
});
