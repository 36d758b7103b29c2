// The importable card template (cards/dingtalk/groupflow.card.json, the card platform's own
// export format) against the real renderer and the real callback decoder: every variable the
// renderer fills is declared with a matching type, every component binds only declared
// variables, the visibility conditions show exactly the buttons the renderer meant, and the
// callback params the template sends are the ones dingtalk.inbound.ts reads.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ButtonStyle, Card, CardButton } from '../../../src/domain/card.ts';
import { decodeCardCallback, parseCardCallback } from '../../../src/platforms/dingtalk/dingtalk.inbound.ts';
import { noticeCard, renderCard } from '../../../src/platforms/dingtalk/dingtalk.render.ts';
import type { FakeDingtalk } from '../../fakes/dingtalk.fake.ts';
import { A, B, C, type Harness, cardCallback, cardFor, cardSign, harnessEachTest, say, settle } from './harness.ts';

// ---- the template, read as the card platform would ----

interface Variable {
  name: string;
  type: string;
  private: boolean;
  schema?: Variable[];
}
interface Condition {
  op: string;
  variable?: string;
  value?: unknown;
  conditions?: Condition[];
}
interface Param {
  type: 'fixed' | 'variable';
  name: string;
  value: string;
  variable: string;
}
interface Clickable {
  node: string;
  actionId: string;
  color?: string;
  visible: Condition | undefined;
  params: Param[];
}

const raw = JSON.parse(readFileSync(new URL('../../../cards/dingtalk/groupflow.card.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const editor = JSON.parse(raw.editorData as string) as {
  schema: { componentsTree: Node[]; componentsMap: { componentName: string }[] };
  variableList: Variable[];
  mockData: { cardData: Record<string, unknown> };
};
interface Node {
  componentName: string;
  id: string;
  props: Record<string, any>;
  children?: Node[];
}
const vars = new Map(editor.variableList.map((v) => [v.name, v]));

function nodes(): Node[] {
  const out: Node[] = [];
  const walk = (n: Node) => {
    out.push(n);
    n.children?.forEach(walk);
  };
  editor.schema.componentsTree.forEach(walk);
  return out;
}

function visibleOf(props: Record<string, any>): Condition | undefined {
  const v = props.visible;
  return v?.valueType === 'condition' ? (v.condition as Condition) : undefined;
}

/** Every request-type click target: ButtonList entries, single buttons, forms. */
function clickables(): Clickable[] {
  const out: Clickable[] = [];
  for (const n of nodes()) {
    if (n.componentName === 'ButtonList') {
      for (const b of n.props.buttons.list as Record<string, any>[]) {
        if (b.actionType !== 'request') continue;
        out.push({ node: `${n.id}/${b.id}`, actionId: b.actionId.content, color: b.color, visible: visibleOf(b), params: b.params });
      }
    } else if ((n.componentName === 'SingleButton' || n.componentName === 'Form') && n.props.actionType === 'request') {
      out.push({ node: n.id, actionId: n.props.actionId?.content ?? n.props.id, visible: visibleOf(n.props), params: n.props.params });
    }
  }
  return out;
}

/** Names of every variable a component reads: ${x} in texts, bindings, conditions, params. */
function referencedVariables(): Set<string> {
  const out = new Set<string>();
  const walk = (o: unknown): void => {
    if (Array.isArray(o)) return o.forEach(walk);
    if (typeof o !== 'object' || o === null) return;
    const r = o as Record<string, unknown>;
    if (typeof r.content === 'string') for (const m of r.content.matchAll(/\$\{([^}]+)\}/g)) out.add(m[1]!);
    const bound = r.type === 'variableValue' || r.valueType === 'variable' || r.type === 'variable' || typeof r.op === 'string';
    if (bound && typeof r.variable === 'string' && r.variable) out.add(r.variable);
    Object.values(r).forEach(walk);
  };
  walk(editor.schema.componentsTree);
  return out;
}

/** The card platform's condition operators used by the template, over the string values we send. */
function holds(c: Condition | undefined, data: Record<string, string>): boolean {
  if (!c) return true;
  if (c.op === 'and') return (c.conditions ?? []).every((x) => holds(x, data));
  if (c.op === 'or') return (c.conditions ?? []).some((x) => holds(x, data));
  const v = data[c.variable!] ?? '';
  switch (c.op) {
    case 'isTrue':
      return v === 'true';
    case 'isFalse':
      return v !== 'true';
    case 'isNotEmpty':
      return v !== '';
    case 'isEmpty':
      return v === '';
    case 'equal':
      return v === String(c.value);
    case 'notEqual':
      return v !== String(c.value);
    default:
      throw new Error(`condition operator ${c.op} not understood by this test`);
  }
}

/** The params a click on `target` sends, as the card platform fills them from the card's data. */
function paramsOf(target: Clickable, data: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(target.params.filter((p) => p.name).map((p) => [p.name, p.type === 'variable' ? (data[p.variable] ?? '') : p.value]));
}

/** The card data as the card platform types it (cardParamMap values are strings; booleans "true"). */
function checkTypes(params: Record<string, string>, where: string): void {
  for (const [k, v] of Object.entries(params)) {
    const decl = vars.get(k);
    expect(decl, `${where}: the renderer fills "${k}", which the template does not declare`).toBeDefined();
    expect(typeof v, `${where}: ${k}`).toBe('string');
    if (decl!.type === 'boolean') expect(['true', 'false'], `${where}: ${k}=${v}`).toContain(v);
    if (decl!.type === 'number') expect(v, `${where}: ${k}`).toMatch(/^-?\d+(\.\d+)?$/);
    if (decl!.type === 'form') {
      const form = JSON.parse(v) as { fields: Record<string, unknown>[] };
      const fieldSchema = decl!.schema?.find((s) => s.name === 'fields')?.schema ?? [];
      const known = new Set(fieldSchema.map((s) => s.name));
      for (const f of form.fields) for (const key of Object.keys(f)) expect(known, `${where}: form field key ${key}`).toContain(key);
    }
  }
}

// ---- what the renderer sends ----

const ids = { a: 'dingtalk:u_a', b: 'dingtalk:u_b', c: 'dingtalk:u_c' };
const btn = (label: string, style: ButtonStyle, action: string, extra: Partial<CardButton> = {}): CardButton => ({
  label,
  style,
  action,
  itemId: 7,
  version: 3,
  for: ids.b,
  ...extra,
});
const base: Card = {
  header: { title: '【需求确认】#7 接口联调', color: 'orange', tag: '待确认' },
  fields: [{ label: '对接人', value: `<@${ids.b}>` }],
  markdown: [`请 <@${ids.b}> 确认`],
  buttons: [],
  mentions: [{ id: ids.b, name: '李四' }],
  summary: '需求 #7 待确认',
};
const variants: Record<string, Card> = {
  'no buttons, no tag': { ...base, header: { title: '状态', color: 'grey' }, markdown: [] },
  'one primary button': { ...base, buttons: [btn('确认对接', 'primary', 'confirm')] },
  'three buttons, every style': {
    ...base,
    buttons: [btn('通过', 'primary', 'accept'), btn('驳回', 'danger', 'reject'), btn('稍后', 'default', 'later', { for: undefined })],
  },
  // Every style in every slot.
  'three buttons, styles rotated once': {
    ...base,
    buttons: [btn('稍后', 'default', 'later'), btn('通过', 'primary', 'accept'), btn('驳回', 'danger', 'reject')],
  },
  'three buttons, styles rotated twice': {
    ...base,
    buttons: [btn('驳回', 'danger', 'reject'), btn('稍后', 'default', 'later'), btn('通过', 'primary', 'accept')],
  },
  'buttons and a form': {
    ...base,
    buttons: [
      btn('确认对接', 'primary', 'confirm'),
      btn('提出异议', 'danger', 'object', { inputs: [{ name: 'reason', label: '原因', required: true, placeholder: '写明原因' }] }),
    ],
  },
  'a form with two inputs only': {
    ...base,
    buttons: [
      btn('驳回', 'danger', 'reject', {
        inputs: [
          { name: 'reason', label: '原因', required: true },
          { name: 'due', label: '新期限', required: false },
        ],
      }),
    ],
  },
};

function rendered(): Array<[string, Record<string, string>, Card | undefined]> {
  const out: Array<[string, Record<string, string>, Card | undefined]> = [];
  for (const color of ['blue', 'green', 'orange', 'red', 'grey', 'purple'] as const) {
    for (const [name, card] of Object.entries(variants)) {
      const c = { ...card, header: { ...card.header, color } };
      out.push([`${name} (${color})`, renderCard(c).params, c]);
      out.push([`${name} (${color}, urgent)`, renderCard(c, true).params, c]);
    }
  }
  out.push(['notice card', noticeCard({ type: 'text', text: `<@${ids.b}> 请看`, mentions: [{ id: ids.b, name: '李四' }] }).params, undefined]);
  out.push(['urgent notice card', noticeCard({ type: 'text', text: `<@${ids.c}> 请看`, mentions: [{ id: ids.c, name: '王五' }] }, true).params, undefined]);
  return out;
}

describe('cards/dingtalk/groupflow.card.json', () => {
  it('is in the card platform export format of the official examples', () => {
    expect(Object.keys(raw).sort()).toEqual(['editorData', 'mode', 'type', 'widgetInfo']);
    expect(raw).toMatchObject({ type: 'im', mode: 'card' });
    expect(typeof raw.widgetInfo).toBe('string');
    const root = editor.schema.componentsTree[0]!;
    expect(root.componentName).toBe('Card');
    // The summary shown in the chat list and in search.
    expect(root.props.summaryContent).toMatchObject({ type: 'variableValue', variable: 'lastMessage' });
    const used = new Set(nodes().map((n) => n.componentName));
    for (const name of used) expect(editor.schema.componentsMap.map((m) => m.componentName)).toContain(name);
    // Every compiled node (widgetInfo) belongs to a component of the editor tree.
    for (const m of (raw.widgetInfo as string).matchAll(/userId="(node_[a-z0-9]+)"/g)) {
      expect(nodes().map((n) => n.id)).toContain(m[1]);
    }
  });

  it('binds only variables it declares, and the notice is private', () => {
    for (const v of referencedVariables()) expect(vars.has(v), `component reads undeclared variable ${v}`).toBe(true);
    expect(vars.get('notice')?.private).toBe(true);
    // The mock data previews a card the renderer could send.
    checkTypes(
      Object.fromEntries(Object.entries(editor.mockData.cardData).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
      'mockData',
    );
  });

  it('declares every variable the renderer fills, with matching types, for every card variant', () => {
    const all = rendered();
    for (const [where, params] of all) checkTypes(params, where);
    // …and nothing is declared that no card ever fills (a stale variable misleads the admin).
    const filled = new Set(all.flatMap(([, p]) => Object.keys(p)));
    for (const v of vars.keys()) expect(filled, `template declares ${v}, the renderer never fills it`).toContain(v);
  });

  it('shows exactly the buttons the renderer put in the slots, each in its style', () => {
    const color: Record<ButtonStyle, string> = { primary: 'blue', danger: 'red', default: 'gray' };
    const targets = clickables();
    for (const [where, params, card] of rendered()) {
      const shown = targets.filter((t) => holds(t.visible, params));
      const plain = card?.buttons.filter((b) => !b.inputs?.length) ?? [];
      const form = card?.buttons.find((b) => b.inputs?.length);
      expect(shown.filter((t) => t.color).map((t) => [t.actionId, t.color]), where).toEqual(
        plain.map((b, i) => [`btn${i + 1}`, color[b.style]]),
      );
      expect(shown.some((t) => !t.color), `${where}: form shown`).toBe(!!form);
      // The containers are shown when something in them is.
      for (const n of nodes().filter((x) => x.componentName === 'ButtonList')) expect(holds(visibleOf(n.props), params), where).toBe(plain.length > 0);
      for (const n of nodes().filter((x) => x.componentName === 'Tag')) expect(holds(visibleOf(n.props), params), where).toBe(!!params.tag);
    }
  });

  it('sends back, from every button and the form, the params dingtalk.inbound.ts reads', () => {
    const targets = clickables();
    expect(targets.length).toBeGreaterThanOrEqual(4);
    for (const t of targets) expect(t.params.map((p) => p.name).sort(), t.node).toEqual(['action', 'for', 'itemId', 'version']);
    const card = variants['three buttons, every style']!;
    const withForm = variants['buttons and a form']!;
    for (const c of [card, withForm]) {
      const params = renderCard(c).params;
      const plain = c.buttons.filter((b) => !b.inputs?.length);
      for (const t of targets.filter((x) => holds(x.visible, params))) {
        const isForm = !t.color;
        const sent = paramsOf(t, params);
        // The Form component adds the user's values under its id, "form".
        if (isForm) sent.form = { reason: '接口文档未定稿' };
        const cb = parseCardCallback(cardCallback('track-1', B, sent));
        expect(cb, t.node).toBeDefined();
        const action = decodeCardCallback(cb!, { chatId: 'dingtalk:cid1', itemId: 7, receivedAt: new Date(0) });
        const meant = isForm ? c.buttons.find((b) => b.inputs?.length)! : plain[Number(t.actionId.slice(3)) - 1]!;
        expect(action, t.node).toMatchObject({ action: meant.action, itemId: meant.itemId, version: meant.version, for: meant.for });
        if (isForm) expect(action!.form).toEqual({ reason: '接口文档未定稿' });
      }
    }
  });
});

// ---- the same, for the cards the running bot actually sends ----

let fake: FakeDingtalk;
let h: Harness;
harnessEachTest((f, x) => {
  fake = f;
  h = x;
});

/** A click built from the template's own param bindings, through the real HTTP card route. */
async function clickTemplate(outTrackId: string, who: typeof A, pick: (t: Clickable) => boolean, form?: Record<string, string>) {
  const data = fake.cardState(outTrackId)!;
  const target = clickables().find((t) => holds(t.visible, data) && pick(t));
  if (!target) throw new Error(`no visible target on ${outTrackId}`);
  const params = paramsOf(target, data);
  if (form) params.form = form;
  const ts = String(h.clock.now().getTime());
  const res = await h.rt.app.inject({
    method: 'POST',
    url: '/dingtalk/card',
    headers: { 'content-type': 'application/json', 'x-ddpaas-signature-timestamp': ts, 'x-ddpaas-signature': cardSign(ts) },
    payload: JSON.stringify(cardCallback(outTrackId, who, params)),
  });
  await settle(h);
  return res.json() as { userPrivateData?: { cardParamMap: Record<string, string> }; cardData?: { cardParamMap: Record<string, string> } };
}

describe('the template against the cards a running bot sends', () => {
  it('covers every card created, updated or answered in a request, task, issue and feedback flow', async () => {
    await say(h, A, '/需求 接口联调 协作:@李四 @王五 截止:周五 优先级:高 标准:联调通过', { at: [B, C] });
    const bCard = cardFor(h, '需求确认', B);
    const cCard = cardFor(h, '需求确认', C);
    const answers = [
      await clickTemplate(bCard, C, (t) => t.actionId === 'btn1'), // refused: not C's button
      await clickTemplate(bCard, B, (t) => t.actionId === 'btn1'),
      await clickTemplate(cCard, C, (t) => !t.color, { reason: '接口文档还没定稿' }),
      await clickTemplate(cCard, C, (t) => t.actionId === 'btn1'),
    ];
    expect(h.rt.repo.getItem(1)?.state).toBe('active');
    await say(h, B, '/提交 #1 联调报告 evidence:https://example.com/r');
    answers.push(await clickTemplate(cardFor(h, '成果验收', A), A, (t) => !t.color, { reason: '缺少压测数据', due: '12月2日' }));
    expect(h.rt.repo.getItem(1)?.state).toBe('rework');
    await say(h, B, '/提交 #1 联调报告v2');
    answers.push(await clickTemplate(cardFor(h, '成果验收', A), A, (t) => t.actionId === 'btn1'));
    expect(h.rt.repo.getItem(1)?.state).toBe('accepted');
    await say(h, A, '/任务 #1 完成登录接口 @王五 due:周五', { at: [C] });
    await say(h, A, '/问题 支付回调超时 sev:紧急 @王五 due:后天', { at: [C] });
    await say(h, A, '/反馈 @李四 接口文档什么时候能给？ 紧急', { at: [B] });
    await say(h, A, '/查看 #1');

    const sent: Array<[string, Record<string, string>]> = [
      ...fake.cardCreates.map((c) => [`create ${c.body.cardData.cardParamMap.title}`, c.body.cardData.cardParamMap] as [string, Record<string, string>]),
      ...fake.cardUpdates.map((u) => [`update ${u.body.outTrackId}`, u.body.cardData.cardParamMap] as [string, Record<string, string>]),
      ...answers.flatMap((a, i) => [
        ...(a.cardData ? [[`answer ${i} cardData`, a.cardData.cardParamMap] as [string, Record<string, string>]] : []),
        ...(a.userPrivateData ? [[`answer ${i} private`, a.userPrivateData.cardParamMap] as [string, Record<string, string>]] : []),
      ]),
    ];
    expect(fake.cardCreates.length).toBeGreaterThanOrEqual(4);
    expect(answers.every((a) => a.userPrivateData?.cardParamMap.notice)).toBe(true);
    for (const [where, params] of sent) checkTypes(params, where);
    // What answers set per user is private data in the template.
    for (const a of answers) for (const k of Object.keys(a.userPrivateData?.cardParamMap ?? {})) expect(vars.get(k)?.private, k).toBe(true);
  });
});
