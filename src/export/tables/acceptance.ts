// 成果验收表 — seed: 成果名称、交付方、接收方、验收标准、验收结果、签字确认. One row per
// submission round of a request or task: what was delivered, and the reviewer's answer.

import type { ItemRow } from '../../db/repo.ts';
import { type Cell, type Snapshot, type TableSpec, cols, time } from '../types.ts';
import { num, obj, ref, reviews, str } from './common.ts';

interface Round {
  round: number;
  at: number | null;
  by: string | null;
  deliverable: string;
  evidence: string;
}

/** Submission rounds from the audit trail; the item's own fields when the trail has none. */
function rounds(s: Snapshot, item: ItemRow): Round[] {
  const submits = s.audit(item.id).filter((a) => a.action === 'submit');
  if (submits.length) {
    return submits.map((a, i) => {
      const d = obj(a.detail);
      return { round: i + 1, at: a.at, by: a.actorId, deliverable: str(d.text), evidence: str(d.evidence) };
    });
  }
  const deliverable = str(item.data.deliverable);
  if (!deliverable) return [];
  const by = str(item.data.submittedBy) || (item.kind === 'task' ? item.ownerId : null);
  return [{ round: num(item.data.round) ?? 1, at: null, by, deliverable, evidence: str(item.data.evidence) }];
}

function reviewerOf(s: Snapshot, item: ItemRow): string {
  return s.people(item.id).find((p) => p.role === 'reviewer')?.userId ?? item.initiatorId;
}

function rowsOf(s: Snapshot, item: ItemRow): Cell[][] {
  const all = rounds(s, item);
  const recs = reviews(item);
  return all.map((r, i): Cell[] => {
    const rec = recs.find((x) => x.round === r.round);
    const last = i === all.length - 1;
    const result = rec?.result === 'accept' ? '通过' : rec?.result === 'reject' ? '驳回' : last && item.state === 'review' ? '待验收' : '';
    return [
      ref(item),
      s.plain(item.title),
      s.plain(r.deliverable),
      s.plain(r.evidence),
      s.name(r.by ?? (item.kind === 'task' ? item.ownerId : null)),
      s.name(rec?.by || reviewerOf(s, item)),
      s.plain(str(item.data.std)),
      r.round,
      time(r.at),
      result,
      rec?.result === 'reject' ? s.plain(str(rec.reason)) : '',
      time(rec?.newDue),
      rec?.result === 'accept' ? s.name(rec.by) : '',
      time(rec?.at),
    ];
  });
}

export const acceptanceTable: TableSpec = {
  name: '成果验收表',
  columns: cols([
    ['编号', 8],
    ['成果名称', 28],
    ['交付物', 32],
    ['证明材料', 28],
    ['交付方', 10],
    ['接收方', 10],
    ['验收标准', 30],
    ['轮次', 6],
    ['提交时间', 18],
    ['验收结果', 10],
    ['整改要求', 30],
    ['新期限', 18],
    ['签字确认', 10],
    ['验收时间', 18],
  ]),
  rows: (s) => s.items.filter((i) => i.kind === 'request' || i.kind === 'task').flatMap((i) => rowsOf(s, i)),
};
