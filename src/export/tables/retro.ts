// 协作复盘报告 — seed (协作流程优化记录): 项目名称、复盘时间、参与人员、亮点、不足、改进措施;
// held within 5 working days after a request is done.

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
      .filter((i) => Object.keys(obj(i.data.retro)).length > 0)
      .map((r) => {
        const retro = obj(r.data.retro);
        return [
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
        ];
      }),
};
