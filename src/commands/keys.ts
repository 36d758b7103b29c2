// Option keys (`due:` `截止：`): canonical name, the aliases people type, and what kind of
// value follows — the kind decides where an unquoted value ends (see options.ts).

export type Key =
  | 'to'
  | 'due'
  | 'pri'
  | 'std'
  | 'with'
  | 'risk'
  | 'plan'
  | 'sev'
  | 'impact'
  | 'evidence'
  | 'reason'
  | 'role'
  | 'duty'
  | 'good'
  | 'bad'
  | 'improve'
  | 'project'
  | 'dept'
  | 'todo'
  | 'place'
  | 'time'
  | 'attendees'
  | 'background'
  | 'type'
  | 'customer'
  | 'supplier'
  | 'partner'
  | 'external'
  | 'lead'
  | 'side';

/**
 * users: @mentions only · date: a time expression · word: one word (an enum) ·
 * text: free text · todo: free text whose @mention is its owner.
 */
export type KeyKind = 'users' | 'date' | 'word' | 'text' | 'todo';

export interface KeySpec {
  en: readonly string[];
  zh: readonly string[];
  kind: KeyKind;
  /** What the value is, for help texts. */
  meaning: string;
}

export const KEYS: Readonly<Record<Key, KeySpec>> = {
  to: { en: ['to'], zh: ['协作', '对接', '给'], kind: 'users', meaning: '对接人（@成员，可多个）' },
  due: { en: ['due', 'deadline'], zh: ['截止', '期限', '截止时间'], kind: 'date', meaning: '截止时间' },
  pri: { en: ['pri', 'priority'], zh: ['优先级'], kind: 'word', meaning: '优先级：高/中/低（high/medium/low），默认中' },
  std: { en: ['std', 'standard'], zh: ['标准', '交付标准'], kind: 'text', meaning: '交付标准' },
  with: { en: ['with'], zh: ['协作人', '协助'], kind: 'users', meaning: '协作人（@成员，可多个）' },
  risk: { en: ['risk'], zh: ['风险'], kind: 'text', meaning: '风险' },
  plan: { en: ['plan'], zh: ['计划', '措施', '应对'], kind: 'text', meaning: '应对措施 / 调整计划' },
  sev: { en: ['sev', 'severity'], zh: ['严重', '严重程度', '级别'], kind: 'word', meaning: '严重程度：一般/重要/紧急（normal/major/critical）' },
  impact: { en: ['impact'], zh: ['影响'], kind: 'text', meaning: '影响' },
  evidence: { en: ['evidence'], zh: ['证据', '附件'], kind: 'text', meaning: '证据或附件链接' },
  reason: { en: ['reason'], zh: ['原因', '理由'], kind: 'text', meaning: '原因' },
  role: { en: ['role'], zh: ['角色'], kind: 'word', meaning: '角色：总/子（main/sub）或协作类型的角色；不写为新增一方的总对接人，写 总 为替换该方的总对接人' },
  duty: { en: ['duty'], zh: ['职责', '分工'], kind: 'text', meaning: '职责分工' },
  good: { en: ['good'], zh: ['亮点', '做得好'], kind: 'text', meaning: '做得好的地方' },
  bad: { en: ['bad'], zh: ['不足'], kind: 'text', meaning: '不足' },
  improve: { en: ['improve'], zh: ['改进'], kind: 'text', meaning: '改进措施' },
  project: { en: ['project'], zh: ['项目'], kind: 'text', meaning: '项目名称' },
  dept: { en: ['dept'], zh: ['部门'], kind: 'text', meaning: '部门' },
  todo: { en: ['todo'], zh: ['待办'], kind: 'todo', meaning: '待办事项（含 @责任人，可跟 due:），可写多条' },
  place: { en: ['place'], zh: ['地点', '会议地点'], kind: 'text', meaning: '地点' },
  time: { en: ['time'], zh: ['时间', '会议时间'], kind: 'date', meaning: '会议时间' },
  attendees: { en: ['attendees'], zh: ['参会', '参会人'], kind: 'users', meaning: '参会人（@成员）' },
  background: { en: ['background'], zh: ['背景'], kind: 'text', meaning: '背景与目标' },
  type: { en: ['type'], zh: ['类型', '协作类型'], kind: 'word', meaning: '协作类型：跨部门/客户/供应商/合作伙伴/紧急（internal/customer/supplier/partner/emergency），默认跨部门' },
  customer: { en: ['customer'], zh: ['客户', '客户名称'], kind: 'text', meaning: '客户名称（客户类型）' },
  supplier: { en: ['supplier'], zh: ['供应商', '供应商名称'], kind: 'text', meaning: '供应商名称（供应商类型）' },
  partner: { en: ['partner'], zh: ['合作方', '合作方名称'], kind: 'text', meaning: '合作方名称（合作伙伴类型）' },
  side: { en: ['side'], zh: ['方', '所属方'], kind: 'users', meaning: '哪一方：@该方的总对接人（有多个协作方时指明替换或加入哪一方）' },
  external: { en: ['external'], zh: ['外部', '外部联系人'], kind: 'text', meaning: '外部联系人姓名（经被 @ 的同事联系，用于客户/供应商/合作方对接人）' },
  lead: { en: ['lead'], zh: ['负责人'], kind: 'users', meaning: '负责人（部门/项目负责人，@一位成员）：升级的最后一级，纪要抄送' },
};

export interface KeyAlias {
  key: Key;
  alias: string;
  english: boolean;
}

/** Every alias, longest first so that `截止时间` wins over `截止` and `协作人` over `协作`. */
export const KEY_ALIASES: readonly KeyAlias[] = (Object.keys(KEYS) as Key[])
  .flatMap((key) => [
    ...KEYS[key].en.map((alias) => ({ key, alias, english: true })),
    ...KEYS[key].zh.map((alias) => ({ key, alias, english: false })),
  ])
  .sort((a, b) => b.alias.length - a.alias.length);

/** "due: / 截止: / 期限: / 截止时间:" for help texts. */
export function keyLabel(key: Key): string {
  return [...KEYS[key].en, ...KEYS[key].zh].map((a) => `${a}:`).join(' / ');
}
