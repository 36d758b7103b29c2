// 协作需求发起表 — seed: 需求编号, 发起部门/人, 接收部门/人 (涉及部门/人员), 需求背景与目标,
// 具体需求内容, 优先级 (高/中/低), 紧急程度, 期望完成时间, 交付标准.

import { type TableSpec, cols, time } from '../types.ts';
import { names, ofKind, priority, ref, state, str, urgency } from './common.ts';

export const requestsTable: TableSpec = {
  name: '协作需求发起表',
  columns: cols([
    ['编号', 8],
    ['需求编号', 14],
    ['协作主题', 28],
    ['发起部门', 12],
    ['发起人', 10],
    ['涉及部门/人员', 22],
    ['需求背景与目标', 34],
    ['具体需求内容', 34],
    ['优先级', 8],
    ['紧急程度', 10],
    ['期望完成时间', 18],
    ['交付标准', 30],
    ['当前状态', 10],
    ['发起时间', 18],
  ]),
  rows: (s) =>
    ofKind(s, 'request').map((r) => {
      const contacts = s.people(r.id).filter((p) => p.role === 'contact' || p.role === 'sub');
      return [
        ref(r),
        r.seqNo ?? '',
        s.plain(r.title),
        s.chat?.dept ?? '',
        s.name(r.initiatorId),
        names(s, contacts.map((p) => p.userId)),
        s.plain(str(r.data.background)),
        s.plain(str(r.data.content) || str(r.data.text)),
        priority(r.priority),
        urgency(r),
        time(r.dueAt),
        s.plain(str(r.data.std)),
        state(r),
        time(r.createdAt),
      ];
    }),
};
