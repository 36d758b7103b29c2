// 沟通协作记录表 — seed: 沟通时间、参与人、核心内容、待办事项、责任方、截止时间, tagged 紧急; from
// the 协作沟通记录表 variant also 沟通事项编号、沟通方式、关键结论、当前状态. Rows: /note records
// (with their to-dos) and /ask questions (with their answers), in time order.

import type { ItemRow } from '../../db/repo.ts';
import { fmtLocal } from '../time.ts';
import { type Cell, type Snapshot, type TableSpec, cols, time } from '../types.ts';
import { arr, names, num, ref, state, str } from './common.ts';

function noteRow(s: Snapshot, n: ItemRow): Cell[] {
  const todos = arr(n.data.todos)
    .map((id) => (typeof id === 'number' ? s.byId.get(id) : undefined))
    .filter((t): t is ItemRow => t !== undefined);
  const participants = arr(n.data.participants).filter((x): x is string => typeof x === 'string');
  const dues = todos.map((t) => t.dueAt);
  return [
    ref(n),
    time(n.createdAt),
    '沟通记录',
    s.name(n.initiatorId),
    names(s, participants.length ? participants : [n.initiatorId]),
    s.plain(str(n.data.text) || n.title),
    '',
    todos.map((t) => `${ref(t)} ${s.plain(t.title)}`).join('\n'),
    todos.map((t) => s.name(t.ownerId)).join('\n'),
    // One to-do: a real date cell; several: one line per to-do, aligned with the columns beside.
    dues.length === 1 ? time(dues[0]) : dues.map((d) => (d ? fmtLocal(d, s.timezone) : '未设置')).join('\n'),
    n.urgent || n.data.urgent === true ? '紧急' : '一般',
    state(n),
  ];
}

function askRow(s: Snapshot, a: ItemRow): Cell[] {
  const asked = s.people(a.id).filter((p) => p.role === 'asked').map((p) => p.userId);
  const answer = str(a.data.answer);
  const answeredAt = num(a.data.answeredAt);
  const by = str(a.data.answeredBy);
  const meta = [by ? s.name(by) : '', answeredAt ? fmtLocal(answeredAt, s.timezone) : ''].filter(Boolean).join('，');
  return [
    ref(a),
    time(a.createdAt),
    '问题反馈',
    s.name(a.initiatorId),
    names(s, [a.initiatorId, ...asked]),
    s.plain(str(a.data.question) || a.title),
    answer ? `${s.plain(answer)}${meta ? `（${meta}）` : ''}` : '',
    '',
    names(s, asked),
    time(a.clockAt),
    a.urgent ? '紧急' : '一般',
    state(a),
  ];
}

export const commsTable: TableSpec = {
  name: '沟通协作记录表',
  columns: cols([
    ['编号', 8],
    ['沟通时间', 18],
    ['沟通方式', 10],
    ['发起人', 10],
    ['参与人', 22],
    ['核心内容', 40],
    ['关键结论/回复', 34],
    ['待办事项', 30],
    ['责任方', 12],
    ['截止时间', 18],
    ['紧急程度', 10],
    ['当前状态', 10],
  ]),
  rows: (s) =>
    s.items
      .filter((i) => i.kind === 'note' || i.kind === 'ask')
      .sort((x, y) => x.createdAt - y.createdAt || x.id - y.id)
      .map((i) => (i.kind === 'note' ? noteRow(s, i) : askRow(s, i))),
};
