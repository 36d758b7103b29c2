// 会议纪要 — seed (跨部门会议纪要表): 会议主题、时间、地点、参会人员、议题、决议、负责人、完成时限.
// One row per decision (each decision is a tracked task); a meeting without decisions gets one.

import type { ItemRow } from '../../db/repo.ts';
import { MINUTES_CONFIRMERS } from '../../domain/item.machines.ts';
import { type Cell, type Snapshot, type TableSpec, cols, time } from '../types.ts';
import { arr, names, num, obj, ref, state, str } from './common.ts';

function confirmation(s: Snapshot, m: ItemRow): string {
  const attendees = s.people(m.id).filter((p) => MINUTES_CONFIRMERS.has(p.role));
  if (attendees.length === 0) return '';
  const done = attendees.filter((p) => p.status === 'confirmed').map((p) => p.userId);
  const waiting = attendees.filter((p) => p.status !== 'confirmed').map((p) => p.userId);
  return [done.length ? `已确认：${names(s, done)}` : '', waiting.length ? `待确认：${names(s, waiting)}` : ''].filter(Boolean).join('；');
}

function rowsOf(s: Snapshot, m: ItemRow): Cell[][] {
  const d = m.data;
  const agenda = arr(d.agenda)
    .map((a, i) => `${i + 1}. ${s.plain(str(a))}`)
    .join('\n');
  const head: Cell[] = [
    ref(m),
    s.plain(str(d.topic) || m.title),
    time(num(d.time) ?? m.createdAt),
    s.plain(str(d.place)),
    names(s, s.people(m.id).filter((p) => p.role === 'attendee').map((p) => p.userId)),
    s.name(m.initiatorId),
    agenda,
  ];
  const tail: Cell[] = [confirmation(s, m), state(m)];
  const decisions = arr(d.decisions).map(obj);
  if (decisions.length === 0) return [[...head, '', '', null, '', '', ...tail]];
  return decisions.map((dec) => {
    const taskId = num(dec.taskId);
    const task = taskId === undefined ? undefined : s.byId.get(taskId);
    return [
      ...head,
      s.plain(str(dec.text)),
      s.name(str(dec.owner) || task?.ownerId),
      time(num(dec.due) ?? task?.dueAt),
      taskId === undefined ? '' : `#${taskId}`,
      task ? state(task) : '',
      ...tail,
    ];
  });
}

export const minutesTable: TableSpec = {
  name: '会议纪要',
  columns: cols([
    ['编号', 8],
    ['会议主题', 26],
    ['会议时间', 18],
    ['地点', 14],
    ['参会人员', 24],
    ['记录人', 10],
    ['议题', 34],
    ['决议', 34],
    ['负责人', 10],
    ['完成时限', 18],
    ['跟踪任务', 10],
    ['任务状态', 10],
    ['确认情况', 26],
    ['纪要状态', 10],
  ]),
  rows: (s) =>
    s.items
      .filter((i) => i.kind === 'minutes')
      .sort((x, y) => (num(x.data.time) ?? x.createdAt) - (num(y.data.time) ?? y.createdAt) || x.id - y.id)
      .flatMap((m) => rowsOf(s, m)),
};
