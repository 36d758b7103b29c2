import { describe, expect, it } from 'vitest';
import type { Card } from '../../../src/domain/card.ts';
import { CARD_BODY_BYTES, contentBytes } from '../../../src/platforms/feishu/feishu.limits.ts';
import { callbackResponse, renderCard, renderOutbound, renderText } from '../../../src/platforms/feishu/feishu.render.ts';
import { buttonsOf, type CardElementJson, type CardJson, markdownOf } from '../../fakes/feishu.fake.ts';

const B = 'feishu:ou_bob';
const A = 'feishu:ou_alice';

function confirmCard(over: Partial<Card> = {}): Card {
  return {
    header: { title: '【需求确认】#1 接口联调', color: 'orange', tag: '待确认' },
    fields: [
      { label: '发起人', value: `<@${A}>` },
      { label: '截止', value: '2026-11-27 18:00 周五' },
      { label: '交付标准', value: '联调通过 <at id=all></at> <font color=red>x</font>' },
    ],
    markdown: [`请 <@${B}> 在 2026-11-24 18:00 前确认对接，或提出异议（需写明原因）。`],
    buttons: [
      { label: '确认对接', style: 'primary', action: 'confirm', itemId: 1, version: 1, for: B },
      {
        label: '提出异议',
        style: 'danger',
        action: 'object',
        itemId: 1,
        version: 1,
        for: B,
        inputs: [{ name: 'reason', label: '原因 / Reason', placeholder: '请填写具体原因', required: true }],
      },
    ],
    mentions: [
      { id: A, name: '张三' },
      { id: B, name: '李四' },
    ],
    summary: '需求 #1 接口联调 待确认',
    ...over,
  };
}

/** Every element (recursively), to check the 2.0 rules across the card. */
function allElements(card: CardJson): CardElementJson[] {
  const out: CardElementJson[] = [];
  const walk = (els: CardElementJson[]) => {
    for (const e of els) {
      out.push(e);
      walk(e.elements ?? []);
      for (const c of e.columns ?? []) walk(c.elements);
    }
  };
  walk(card.body.elements);
  return out;
}

describe('renderText', () => {
  it('turns mention tokens into <at user_id> tags with names', () => {
    expect(renderText({ type: 'text', text: `已发起需求 #1，请 <@${B}> 确认`, mentions: [{ id: B, name: '李四' }] })).toBe(
      '已发起需求 #1，请 <at user_id="ou_bob">李四</at> 确认',
    );
  });

  it('defuses <at> typed by users, so nobody can @all through the bot', () => {
    const t = renderText({ type: 'text', text: '原因：<at user_id="all"></at> 快看', mentions: [] });
    expect(t).not.toContain('<at user_id="all">');
    expect(t).toContain('at user_id="all"');
  });

  it('a token of "all" (stored before tokens were trusted, or a bug) is never a real <at>', () => {
    const all = { id: 'feishu:all', name: 'all' };
    expect(renderText({ type: 'text', text: '请 <@feishu:all> 看', mentions: [all] })).not.toMatch(/<at user_id="all"/);
    const c = renderCard({ ...confirmCard(), markdown: ['请 <@feishu:all> 看'], mentions: [all] }) as unknown as CardJson;
    expect(markdownOf(c)).not.toContain('<at id=all>');
    expect(markdownOf(c)).toContain('@all');
  });

  it('typed links and style tags do not work in a text message, and still read the same', () => {
    const typed = '[点我](https://evil.example) <b>粗</b> [x]: javascript:alert(1)';
    const t = renderText({ type: 'text', text: typed, mentions: [] });
    expect(t).not.toMatch(/\]\(|<b>|\]:/);
    expect(t.replace(/\u200b/g, '')).toBe(typed);
  });

  it('marks urgent text once', () => {
    expect(renderText({ type: 'text', text: '服务挂了', mentions: [] }, true)).toBe('【紧急】服务挂了');
    expect(renderText({ type: 'text', text: '【紧急】服务挂了', mentions: [] }, true)).toBe('【紧急】服务挂了');
  });

  it('renderOutbound: text content is a JSON string with a text field', () => {
    const r = renderOutbound({ platform: 'feishu', chatId: 'feishu:oc_1', body: { type: 'text', text: 'hi', mentions: [] } });
    expect(r.msgType).toBe('text');
    expect(JSON.parse(r.content)).toEqual({ text: 'hi' });
  });
});

describe('renderCard (JSON 2.0)', () => {
  const card = renderCard(confirmCard()) as unknown as CardJson;

  it('has the 2.0 skeleton: schema, shared config, header with colour and state tag', () => {
    expect(card.schema).toBe('2.0');
    expect(card.config).toEqual({ update_multi: true, width_mode: 'fill', summary: { content: '需求 #1 接口联调 待确认' } });
    expect(card.header.template).toBe('orange');
    expect(card.header.title).toEqual({ tag: 'plain_text', content: '【需求确认】#1 接口联调' });
    expect(card.header.text_tag_list).toEqual([{ tag: 'text_tag', text: { tag: 'plain_text', content: '待确认' }, color: 'orange' }]);
    expect(Object.keys(card)).toEqual(['schema', 'config', 'header', 'body']);
  });

  it('card markdown: typed links, images and entities are text', () => {
    const c = renderCard({ ...confirmCard(), markdown: ['[点我](https://evil.example) ![i](img_x) &#60;at id=all&#62;'] }) as unknown as CardJson;
    const md = markdownOf(c);
    expect(md).not.toMatch(/\]\(/);
    expect(md).toContain('&#91;点我&#93;(https://evil.example)');
    expect(md).toContain('&amp;#60;at id=all&amp;#62;');
  });

  it('mentions people with <at id=…></at> and escapes user text', () => {
    const md = markdownOf(card);
    expect(md).toContain('**发起人**：<at id=ou_alice></at>');
    expect(md).toContain('请 <at id=ou_bob></at> 在');
    expect(md).not.toContain('<at id=all>');
    expect(md).toContain('&lt;at id=all&gt;&lt;/at&gt;');
    expect(md).toContain('&lt;font color=red&gt;');
  });

  it('renders plain buttons in a column set, with a callback value naming item, action, version and user', () => {
    const cols = card.body.elements.find((e) => e.tag === 'column_set')!;
    const btn = cols.columns![0]!.elements[0]!;
    expect(btn).toEqual({
      tag: 'button',
      name: 'btn_0',
      type: 'primary_filled',
      text: { tag: 'plain_text', content: '确认对接' },
      behaviors: [{ type: 'callback', value: { itemId: 1, action: 'confirm', version: 1, for: B } }],
    });
  });

  it('renders a button that needs inputs as a root-level form with inputs and a submit button', () => {
    const form = card.body.elements.find((e) => e.tag === 'form')!;
    expect(form.name).toBe('form_0');
    expect(form.elements![0]).toEqual({
      tag: 'input',
      name: 'reason',
      required: true,
      label: { tag: 'plain_text', content: '原因 / Reason' },
      placeholder: { tag: 'plain_text', content: '请填写具体原因' },
    });
    expect(form.elements![1]).toMatchObject({
      tag: 'button',
      name: 'submit_0',
      type: 'danger',
      form_action_type: 'submit',
      behaviors: [{ type: 'callback', value: { itemId: 1, action: 'object', version: 1, for: B } }],
    });
    expect(buttonsOf(card).map((b) => [b.label, b.form])).toEqual([
      ['确认对接', undefined],
      ['提出异议', 'form_0'],
    ]);
  });

  it('uses no tags 2.0 removed, unique non-empty names, and no root elements', () => {
    const els = allElements(card);
    expect(els.some((e) => e.tag === 'action' || e.tag === 'note')).toBe(false);
    const names = els.filter((e) => ['button', 'input', 'form'].includes(e.tag)).map((e) => e.name);
    expect(names.every((n) => typeof n === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,19}$/.test(n))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    expect('elements' in card).toBe(false);
  });

  it('keeps input names unique across forms and maps renamed ones back in the value', () => {
    const inputs = [{ name: 'reason', label: 'R', required: true }];
    const c = renderCard(
      confirmCard({
        buttons: [
          { label: 'a', style: 'danger', action: 'object', itemId: 1, version: 1, inputs },
          { label: 'b', style: 'danger', action: 'reject', itemId: 1, version: 1, inputs },
        ],
      }),
    ) as unknown as CardJson;
    const forms = c.body.elements.filter((e) => e.tag === 'form');
    expect(forms.map((f) => f.elements![0]!.name)).toEqual(['reason', 'reason_2']);
    expect(buttonsOf(c)[1]!.value).toEqual({ itemId: 1, action: 'reject', version: 1, f: { reason_2: 'reason' } });
  });

  it('maps colours: grey header, neutral tag', () => {
    const c = renderCard(confirmCard({ header: { title: 't', color: 'grey', tag: '已关闭' }, buttons: [] }));
    expect(c.header.template).toBe('grey');
    expect(c.header.text_tag_list![0]!.color).toBe('neutral');
    expect(c.body.elements.some((e) => e.tag === 'hr')).toBe(false);
  });

  it('stays under the 30 KB card limit', () => {
    const long = Array.from({ length: 3000 }, (_, i) => `- 2026-11-${(i % 28) + 1} <@${B}> 操作记录 ${i}`).join('\n');
    const c = renderCard(confirmCard({ markdown: [long] }));
    expect(contentBytes(c)).toBeLessThanOrEqual(CARD_BODY_BYTES);
    expect(JSON.stringify(c)).toContain('条未显示');
  });
});

describe('callbackResponse', () => {
  it('a success toast with i18n and the updated card', () => {
    const r = callbackResponse({ ok: true, toast: '已确认', card: confirmCard({ buttons: [] }) }, new Map());
    expect(r.toast).toEqual({ type: 'success', content: '已确认', i18n: { zh_cn: '已确认' } });
    expect(r.card?.type).toBe('raw');
    expect(r.card?.data.schema).toBe('2.0');
  });

  it('a refusal as an error toast, mentions as @name', () => {
    const r = callbackResponse({ ok: false, toast: `⛔ 该按钮仅限 <@${B}> 操作，您的点击未生效。` }, new Map([[B, '李四']]));
    expect(r).toEqual({ toast: { type: 'error', content: '⛔ 该按钮仅限 @李四 操作，您的点击未生效。', i18n: { zh_cn: '⛔ 该按钮仅限 @李四 操作，您的点击未生效。' } } });
  });
});
