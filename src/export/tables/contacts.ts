// 协作对接信息表 — seed: 各方总对接人、子对接人、联系方式（内部通讯工具账号）、职责分工; the
// collaborator side confirms within 1 working day or objects with a reason.

import { subLinks } from '../../domain/sides.ts';
import type { PersonRow } from '../../db/repo.ts';
import { type Cell, type Snapshot, type TableSpec, cols, time } from '../types.ts';
import { PERSON_STATUS_LABEL, ofKind, str } from './common.ts';

const PLATFORM_LABEL: Record<string, string> = { feishu: '飞书', dingtalk: '钉钉', sandbox: '沙盒' };
const ROLE: Record<string, string> = { contact: '总对接人', sub: '子对接人' };

/** "飞书 ou_123": the internal chat account the seed asks for as 联系方式. */
function account(userId: string): string {
  const i = userId.indexOf(':');
  if (i < 0) return userId;
  const p = userId.slice(0, i);
  return `${PLATFORM_LABEL[p] ?? p} ${userId.slice(i + 1)}`;
}

/** When the contact confirmed (or objected): their audit row, else the person row's time. */
function answeredAt(s: Snapshot, p: PersonRow): number | null {
  if (p.status === 'pending') return null;
  // A sub-contact answers on a card of their own (sub_confirm / sub_object).
  const action = `${p.role === 'sub' ? 'sub_' : ''}${p.status === 'objected' ? 'object' : 'confirm'}`;
  const rows = s.audit(p.itemId).filter((a) => a.action === action && a.actorId === p.userId);
  return rows.at(-1)?.at ?? p.updatedAt;
}

export const contactsTable: TableSpec = {
  name: '协作对接信息表',
  columns: cols([
    ['编号', 8],
    ['需求编号', 14],
    ['协作主题', 26],
    ['所属方', 8],
    ['对接角色', 10],
    ['对接人', 10],
    ['联系方式', 24],
    ['职责分工', 30],
    ['确认状态', 10],
    ['确认时间', 18],
    ['异议说明', 28],
  ]),
  rows: (s) =>
    ofKind(s, 'request').flatMap((r) => {
      const head = [`#${r.id}`, r.seqNo ?? '', s.plain(r.title)];
      const lead: Cell[] = [...head, '主责方', '发起人', s.name(r.initiatorId), account(r.initiatorId), '需求发起与验收', '', null, ''];
      const subs = subLinks(r.data);
      const sides = s
        .people(r.id)
        .filter((p) => ROLE[p.role])
        .map((p): Cell[] => [
          ...head,
          p.role === 'sub' && subs[p.userId] ? `协作方·${s.name(subs[p.userId]!.side)}` : '协作方',
          ROLE[p.role]!,
          s.name(p.userId),
          account(p.userId),
          s.plain(str(p.duty)),
          PERSON_STATUS_LABEL[p.status] ?? p.status,
          time(answeredAt(s, p)),
          s.plain(str(p.note)),
        ]);
      return [lead, ...sides];
    }),
};
