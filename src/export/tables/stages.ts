// The documents of each request's collaboration type (客户需求清单, 采购订单…) as sheets with the
// fields the seeds name, plus one sheet of every stage's completion and sign-off. A document the
// seed tables already carry (协作需求发起表, 成果验收表…) keeps its own sheet. Fields are read from
// the text the owner sent with /完成 ("核心诉求：数据看板；预算范围：20万"); text that names no
// field goes under the document's first field.

import type { ProcessRegistry } from '../../domain/processes/registry.ts';
import { documentFields } from '../../domain/processes/template.ts';
import type { ItemRow } from '../../db/repo.ts';
import { changeRecords } from '../../engine/change.ts';
import { surveyRecords } from '../../engine/survey.ts';
import type { StageRecord } from '../../engine/stage-cards.ts';
import { type Cell, type Column, type Snapshot, type Table, cols, time } from '../types.ts';
import { ref, str } from './common.ts';

const TAIL: Array<[string, number]> = [['附件', 30], ['提交人', 10], ['提交时间', 18], ['签核人', 10], ['签核时间', 18]];

function records(r: ItemRow): Record<string, StageRecord> {
  return (r.data.stages as Record<string, StageRecord> | undefined) ?? {};
}

/** Sheets for the documents of the types in the archive, after the seed tables (`taken` names). */
export function stageTables(s: Snapshot, reg: ProcessRegistry, taken: ReadonlySet<string>): Table[] {
  const requests = s.items.filter(
    (i) => i.kind === 'request' && (changeRecords(i).length > 0 || surveyRecords(i).length > 0 || Object.values(records(i)).some((r) => r.document !== undefined || r.status === 'skipped' || r.delays?.length)),
  );
  if (requests.length === 0) return [];
  const docs = new Map<string, { columns: Column[]; rows: Cell[][] }>();
  const log: Cell[][] = [];
  for (const r of requests) {
    const t = reg.get(r.process);
    const recs = records(r);
    for (const stage of t.stages) {
      const rec = recs[stage.id];
      // The signer's confirmation (排期计划) and the delay notes (延期说明) are rows of their own.
      for (const d of [...stage.documents, ...(stage.confirm ? [stage.confirm] : [])]) {
        if (taken.has(d.name)) continue;
        const sheet = docs.get(d.name) ?? { columns: cols([['需求编号', 10], ...d.fields.map((f): [string, number] => [f, 20]), ...TAIL]), rows: [] };
        docs.set(d.name, sheet);
        const row = (text: string, tail: Cell[]) => sheet.rows.push([ref(r), ...documentFields(d, s.plain(text)), ...tail]);
        if (d === stage.confirm) {
          if (rec?.confirmation !== undefined) row(rec.confirmation, ['', s.name(rec.signedBy), time(rec.signedAt), s.name(rec.signedBy), time(rec.signedAt)]);
        } else if (d.name === stage.late) {
          for (const x of rec?.delays ?? []) row(x.text, ['', s.name(x.by), time(x.at), '', null]);
        } else if (rec?.document !== undefined) {
          row(rec.document, [str(rec.evidence), s.name(rec.by), time(rec.at), s.name(rec.signedBy), time(rec.signedAt)]);
        }
      }
      if (!rec || (rec.document === undefined && rec.status !== 'skipped')) continue;
      const status = { open: rec.refusals.length ? '已退回' : '进行中', signing: '待签核', done: '已签核', skipped: '已跳过' }[rec.status];
      const why = rec.status === 'skipped' ? (rec.skipReason ?? '') : rec.refusals.map((x) => `${s.name(x.by)}：${x.reason}`).join('；');
      log.push([ref(r), t.name, stage.name, stage.documents.map((d) => d.name).join('、'), s.plain(rec.document ?? ''), str(rec.verdict), s.name(rec.by), time(rec.at), s.name(rec.signedBy), time(rec.signedAt), status, why]);
    }
    // Changes (/变更) fill the change document's sheet: 变更内容, 原因, then how it was answered.
    const sheet = t.change ? docs.get(t.change.document) : undefined;
    const width = sheet ? sheet.columns.length - TAIL.length - 1 : 0;
    for (const c of sheet ? changeRecords(r) : []) {
      const answer = c.status === 'signing' ? '待确认' : c.status === 'agreed' ? '已确认' : `不同意：${c.answer ?? ''}`;
      const own = [s.plain(c.what), c.reason, answer].slice(0, width);
      while (own.length < width) own.push('');
      sheet!.rows.push([ref(r), ...own, '', s.name(c.by), time(c.at), s.name(c.signer), time(c.answeredAt)]);
    }
    // Answered surveys (/满意度) fill the survey document's sheet: the score, then the comment.
    const survey = t.survey ? docs.get(t.survey.document) : undefined;
    const cells = survey ? survey.columns.length - TAIL.length - 1 : 0;
    for (const v of survey ? surveyRecords(r).filter((x) => x.score !== undefined) : []) {
      const own: Cell[] = [v.score!, v.comment ?? ''].slice(0, cells);
      while (own.length < cells) own.push('');
      survey!.rows.push([ref(r), ...own, '', s.name(v.to), time(v.answeredAt), '', null]);
    }
  }
  const stageLog: Table = {
    name: '阶段签核记录',
    columns: cols([['需求编号', 10], ['协作类型', 10], ['阶段', 12], ['文档', 24], ['内容', 40], ['结论', 10], ['完成人', 10], ['完成时间', 18], ['签核人', 10], ['签核时间', 18], ['状态', 8], ['退回/跳过原因', 30]]),
    rows: log,
  };
  return [...[...docs].map(([name, d]) => ({ name, ...d })), stageLog];
}
