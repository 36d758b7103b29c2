// 任务分解与分配表 — seed: 任务名称、责任人、协作人、交付标准、截止时间.

import { type TableSpec, cols, pct, time } from '../types.ts';
import { TASK_SOURCE_LABEL, names, ofKind, parentLabel, ref, state, str } from './common.ts';

export const tasksTable: TableSpec = {
  name: '任务分解与分配表',
  columns: cols([
    ['编号', 8],
    ['任务名称', 30],
    ['所属事项', 26],
    ['来源', 10],
    ['责任人', 10],
    ['协作人', 18],
    ['交付标准', 30],
    ['截止时间', 18],
    ['当前状态', 10],
    ['完成度', 8],
    ['分配人', 10],
    ['分配时间', 18],
  ]),
  rows: (s) =>
    ofKind(s, 'task').map((t) => {
      const source = str(t.data.source);
      return [
        ref(t),
        s.plain(t.title),
        parentLabel(s, t),
        TASK_SOURCE_LABEL[source] ?? source,
        s.name(t.ownerId),
        names(s, s.people(t.id).filter((p) => p.role === 'helper').map((p) => p.userId)),
        s.plain(str(t.data.std)),
        time(t.dueAt),
        state(t),
        pct(t.data.pct),
        s.name(t.initiatorId),
        time(t.createdAt),
      ];
    }),
};
