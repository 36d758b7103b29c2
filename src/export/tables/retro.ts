// 协作复盘报告 — seed (协作流程优化记录): 项目名称、复盘时间、参与人员、亮点、不足、改进措施;
// held within 5 working days after a request is done. One row per retrospective: the engine keeps
// every one in data.retros and the latest in data.retro.

import type { ItemRow } from '../../db/repo.ts';
import { type Snapshot, type TableSpec, cols, time } from '../types.ts';
import { arr, names, num, obj, ref, str } from './common.ts';

/** Who took part: the retro's own list, else the request's initiator, contacts and task owners. */
function participants(s: Snapshot, r: ItemRow, retro: Record<string, unknown>): string {
  const listed = arr(retro.participants).filter((x): x is string => typeof x === 'string');
  if (listed.length) return names(s, listed);
  const contacts = s.people(r.id).filter((p) => p.role === 'contact' || p.role === 'sub').map((p) => p.userId);
  const owners = s.items.filter((i) => i.parentId === r.id && i.kind === 'task').map((t) => t.ownerId);
  return names(s, [r.initiatorId, ...contacts, ...owners]);
}

function entries(r: ItemRow): Array<Record<string, unknown>> {
  const all = arr(r.data.retros).map(obj).filter((x) => Object.keys(x).length > 0);
  if (all.length) return all;
  const latest = obj(r.data.retro);
  return Object.keys(latest).length ? [latest] : [];
}

export const retroTable: TableSpec = {
  name: '协作复盘报告',
  columns: cols([
    ['项目名称', 18],
    ['编号', 8],
    ['需求编号', 14],
    ['协作主题', 26],
    ['复盘时间', 18],
    ['参与人员', 26],
    ['亮点', 36],
    ['不足', 36],
    ['改进措施', 36],
    ['复盘人', 10],
  ]),
  rows: (s) =>
    s.items
      .flatMap((r) => entries(r).map((retro) => ({ r, retro })))
      .map(({ r, retro }) => [
        s.project,
        ref(r),
        r.seqNo ?? '',
        s.plain(r.title),
        time(num(retro.at)),
        participants(s, r, retro),
        s.plain(str(retro.good)),
        s.plain(str(retro.bad)),
        s.plain(str(retro.improve)),
        s.name(str(retro.by) || r.initiatorId),
      ]),
};
