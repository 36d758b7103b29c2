// 进度跟踪记录表 — seed: 任务名称、当前状态、完成度、风险问题、解决措施. One row per progress
// update (audit action 'progress'), oldest first.

import { type Cell, type TableSpec, cols, pct, time } from '../types.ts';
import { obj, ref, str } from './common.ts';
import { stateLabel } from '../../i18n/zh-CN.ts';

export const progressTable: TableSpec = {
  name: '进度跟踪记录表',
  columns: cols([
    ['更新时间', 18],
    ['编号', 8],
    ['任务名称', 30],
    ['责任人', 10],
    ['当前状态', 10],
    ['完成度', 8],
    ['风险问题', 30],
    ['解决措施', 30],
    ['进展说明', 30],
    ['更新人', 10],
  ]),
  rows: (s) =>
    s.items
      .flatMap((item) => s.audit(item.id).filter((a) => a.action === 'progress').map((a) => ({ item, a })))
      .sort((x, y) => x.a.at - y.a.at || x.a.id - y.a.id)
      .map(({ item, a }): Cell[] => {
        const d = obj(a.detail);
        const st = a.toState ?? item.state;
        return [
          time(a.at),
          ref(item),
          s.plain(item.title),
          s.name(item.ownerId),
          stateLabel(st, item.kind),
          pct(d.pct),
          s.plain(str(d.risk)),
          s.plain(str(d.plan) || str(d.mitigation)),
          s.plain(str(d.text)),
          s.name(a.actorId),
        ];
      }),
};
