// Form cards on Feishu: the card JSON 2.0 rules the platform enforces for forms, and a submit
// callback (signed and encrypted as Feishu sends it) that raises the item.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FORMS } from '../../../src/commands/forms.ts';
import { formCard } from '../../../src/engine/forms.ts';
import { CARD_BODY_BYTES, contentBytes } from '../../../src/platforms/feishu/feishu.limits.ts';
import { renderCard } from '../../../src/platforms/feishu/feishu.render.ts';
import { A, B, C, FeishuHarness } from '../../fakes/feishu.harness.ts';
import { buttonsOf, type CardElementJson, type CardJson } from '../../fakes/feishu.fake.ts';

function walk(els: CardElementJson[], out: CardElementJson[] = []): CardElementJson[] {
  for (const e of els) {
    out.push(e);
    walk(e.elements ?? [], out);
    for (const c of e.columns ?? []) walk(c.elements, out);
  }
  return out;
}

describe('Feishu form cards', () => {
  it.each(Object.keys(FORMS) as Array<keyof typeof FORMS>)('the %s form: a root-level form, unique names, a submit button, the pickers, within 30 KB', (name) => {
    const card = renderCard(formCard(name, { id: 'feishu:ou_alice', name: '张三' })) as unknown as CardJson;
    const root = card.body.elements;
    const forms = walk(root).filter((e) => e.tag === 'form');
    expect(forms).toHaveLength(1);
    expect(root).toContain(forms[0]);
    const inside = walk(forms[0]!.elements ?? []);
    const named = walk(root).filter((e) => typeof e.name === 'string');
    expect(new Set(named.map((e) => e.name)).size).toBe(named.length);
    expect(named.every((e) => /^[A-Za-z][A-Za-z0-9_]{0,19}$/.test(e.name!))).toBe(true);
    const submit = inside.filter((e) => e.tag === 'button');
    expect(submit).toHaveLength(1);
    expect(submit[0]).toMatchObject({ form_action_type: 'submit', behaviors: [{ type: 'callback', value: { itemId: 0, action: `form:${name}`, for: 'feishu:ou_alice' } }] });
    const tags = inside.map((e) => e.tag);
    for (const i of FORMS[name].inputs) {
      const el = inside.find((e) => e.name === i.name)!;
      expect(el, i.name).toBeDefined();
      const want = { people: i.multiple ? 'multi_select_person' : 'select_person', date: 'picker_datetime', select: 'select_static', text: 'input', multiline: 'input' }[i.kind ?? 'text'];
      expect(el.tag, i.name).toBe(want);
      expect((el as { required?: boolean }).required, i.name).toBe(i.required);
    }
    expect(tags.includes('picker_datetime')).toBe(FORMS[name].inputs.some((i) => i.kind === 'date'));
    expect(contentBytes(card)).toBeLessThanOrEqual(CARD_BODY_BYTES);
  });
});

describe('a Feishu form submit', () => {
  let h: FeishuHarness;
  beforeEach(async () => {
    h = await FeishuHarness.create();
  });
  afterEach(async () => {
    await h.close();
  });

  it('/需求 answers with the form; the signed submit raises the request; a missing field comes back on the card', async () => {
    await h.says(A, '@{ou_bot} /需求');
    const form = h.cardFor('填写表单', A);
    expect(buttonsOf(form.card).map((b) => [b.label, b.form])).toEqual([['提交', 'form_0']]);
    const missing = await h.clicks(A, form, '提交', { title: '接口联调', due: '2026-12-01 18:00 +0800' });
    expect(missing.status).toBe(200);
    expect(JSON.stringify(missing.json())).toContain('请填写：对接人');
    expect(h.rt.repo.getItem(1)).toBeUndefined();
    const ok = await h.clicks(A, form, '提交', { title: '接口联调', to: 'ou_bob', due: '2026-12-01 18:00 +0800', pri: '高' });
    expect(JSON.stringify(ok.json())).toContain('已提交');
    expect(h.rt.repo.getItem(1)).toMatchObject({ kind: 'request', title: '接口联调', state: 'pending', initiatorId: 'feishu:ou_alice' });
    expect(new Date(h.rt.repo.getItem(1)!.dueAt!).toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(h.rt.repo.people(1).map((p) => p.userId)).toEqual(['feishu:ou_bob']);
    expect(h.cardFor('需求确认', B)).toBeDefined();
    void C;
  });
});
