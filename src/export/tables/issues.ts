// 问题跟踪表 — seed: 问题描述、影响范围、责任方、计划解决时间、实际解决时间, graded 一般/重要/紧急,
// with 解决结果 and 证明材料; closed only after the initiator verifies (闭环).

import type { ItemRow } from '../../db/repo.ts';
import { type Snapshot, type TableSpec, cols, time } from '../types.ts';
import { SEVERITY_LABEL, num, ofKind, ref, state, str } from './common.ts';

/** When the initiator verified the fix (the last 'verify' audit row), if it is closed. */
function verifiedAt(s: Snapshot, i: ItemRow): number | null {
  if (i.state !== 'closed') return null;
  return s.audit(i.id).filter((a) => a.action === 'verify' || a.toState === 'closed').at(-1)?.at ?? null;
}

export const issuesTable: TableSpec = {
  name: '问题跟踪表',
  columns: cols([
    ['编号', 8],
    ['问题描述', 36],
    ['影响范围', 26],
    ['严重程度', 10],
    ['责任方', 10],
    ['提出人', 10],
    ['提出时间', 18],
    ['计划解决时间', 18],
    ['实际解决时间', 18],
    ['解决结果', 32],
    ['证明材料', 30],
    ['验证关闭时间', 18],
    ['当前状态', 10],
    ['备注', 24],
  ]),
  rows: (s) =>
    ofKind(s, 'issue').map((i) => {
      const sev = str(i.data.severity) || 'normal';
      const reopen = str(i.data.reopenReason);
      return [
        ref(i),
        s.plain(str(i.data.text) || i.title),
        s.plain(str(i.data.impact)),
        SEVERITY_LABEL[sev] ?? sev,
        s.name(i.ownerId),
        s.name(i.initiatorId),
        time(i.createdAt),
        time(i.dueAt),
        time(num(i.data.resolvedAt)),
        s.plain(str(i.data.result)),
        s.plain(str(i.data.evidence)),
        time(verifiedAt(s, i)),
        state(i),
        reopen ? `曾重开：${s.plain(reopen)}` : '',
      ];
    }),
};
