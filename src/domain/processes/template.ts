// The shape of a collaboration type (协作类型): its stages in order, what each stage produces, who
// completes it and who signs it off, and the type's own clocks. Templates are data a person can
// review against the seeds; one engine runs every type from them.

export interface DocumentTemplate {
  /** The document's name as the seeds write it, e.g. 客户需求清单. */
  name: string;
  /** The fields the seed names for it (also the sheet headers of the archive). */
  fields: readonly string[];
}

export interface StageTemplate {
  /** Short English id, stored on the request. */
  id: string;
  /** The name users see and type (`/完成 #N 需求评审 …`). */
  name: string;
  documents: readonly DocumentTemplate[];
  /** Role that completes the stage with its document. */
  owner: string;
  /** Role that signs the stage off on a card. */
  signer: string;
  /** How long the stage may take: "2wd" working days, or wall time "24h", "1h", "30m". */
  clock?: string;
  /** When set, the document must start with one of these answers (需求评审: 可执行 / 需调整 / 不可执行). */
  verdicts?: readonly string[];
  /** Request states that mean this stage is where the request stands (for requests made before types). */
  states?: readonly string[];
  /**
   * The signer signs off by sending this document (`/完成 #N 排期计划 …`) instead of a bare click:
   * the supplier confirms an order with its 排期计划.
   */
  confirm?: DocumentTemplate;
  /** The stage's deadline is the date in the first of these fields found in earlier stages' documents; else its clock. */
  dueFrom?: readonly string[];
  /**
   * A document of the stage the owner files when the deadline cannot be kept (延期说明): past the
   * deadline the stage cannot be completed without one, and a `dueFrom` field in it moves the deadline.
   */
  late?: string;
}

export interface RoleTemplate {
  id: string;
  /** What users see and type after `role:`. */
  label: string;
  aliases: readonly string[];
  /** Role to ask when nobody holds this one (the leader falls back to the initiator). */
  fallback?: string;
  /** An outside party's contact: may be an outsider reached through a colleague (`外部:<姓名>`). */
  external?: boolean;
}

export interface ProcessTemplate {
  /** English id (`type:customer`), the key under `processes` in the config. */
  id: string;
  /** Chinese name (`类型:客户`), shown on cards and in the archive. */
  name: string;
  aliases: readonly string[];
  /** Every request of this type is urgent: announced at once with 【紧急】 and never held in quiet hours. */
  urgent: boolean;
  stages: readonly StageTemplate[];
  /** The type's own response clocks (customer questions: respond 1h, propose a solution 24h). */
  clocks: { respond?: string; solution?: string };
  /** Archive file name; placeholders {项目名称} {协作类型} {日期} {客户名称} {供应商名称} {合作方名称}. */
  archiveName: string;
  retentionYears: number;
  /** Roles the type brings beyond the built-in ones. */
  roles: readonly RoleTemplate[];
  /** A change to the agreed request (`/变更`) is filed as this document and signed by this role. */
  change?: { document: string; signer: string };
  /** A satisfaction survey (`/满意度`): a card asking this role for a 1–5 score and a comment. */
  survey?: { document: string; to: string };
}

export type StageClock = { workdays: number } | { ms: number };

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000 };

/** "2wd" → two working days; "24h", "1h", "30m", "1d" → wall time; anything else → undefined. */
export function parseStageClock(text: string): StageClock | undefined {
  const s = text.normalize('NFKC').trim().toLowerCase();
  const wd = /^(\d{1,2})\s*wd$/.exec(s);
  if (wd) return { workdays: Number(wd[1]) };
  const m = /^(\d+(?:\.\d+)?)\s*([dhm])$/.exec(s);
  return m ? { ms: Math.round(Number(m[1]) * UNIT_MS[m[2]!]!) } : undefined;
}

/** "2wd" → "2 个工作日", "24h" → "24 小时", for people. */
export function clockLabel(text: string): string {
  const c = parseStageClock(text);
  if (!c) return text;
  if ('workdays' in c) return `${c.workdays} 个工作日`;
  return c.ms % 3_600_000 === 0 ? `${c.ms / 3_600_000} 小时` : `${Math.round(c.ms / 60_000)} 分钟`;
}

const escaped = (f: string) => f.replace(/[.*+?^$()|[\]{}\\/]/g, (c) => `\\${c}`);

/** The value of `field` in a document's text ("计划时间：12月8日" → "12月8日"), if named. */
export function fieldValue(field: string, text: string): string | undefined {
  return new RegExp(escaped(field) + '\\s*[：:]\\s*([^；;\\n]+)').exec(text)?.[1]?.trim() || undefined;
}

/**
 * The values of a document's fields in the text sent with /完成 ("规格：2U；数量：20"), in field
 * order; text that names no field goes under the first field.
 */
export function documentFields(d: DocumentTemplate, text: string): string[] {
  const values: string[] = d.fields.map((f) => fieldValue(f, text) ?? '');
  if (!values.some(Boolean)) values[0] = text.trim();
  return values;
}

/** The fields of the document the text does not fill in ("延期原因：…；调整方案：…"). */
export function missingFields(d: DocumentTemplate, text: string): string[] {
  return d.fields.filter((f) => !fieldValue(f, text));
}

/** "节点：…；计划时间：…": what to type for a document. */
export function fillIn(d: DocumentTemplate): string {
  return d.fields.map((f) => `${f}：…`).join('；');
}
