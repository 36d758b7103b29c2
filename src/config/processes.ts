// `processes.<type>`: collaboration types an admin adds, or built-in ones they replace (same key).
// Validated at start-up; every error names its key path (processes.audit.stages.1.signer).

import { z } from 'zod';
import { BUILTIN_PROCESSES, BUILTIN_ROLES } from '../domain/processes/builtin.ts';
import { parseStageClock, type ProcessTemplate } from '../domain/processes/template.ts';

const Id = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, '应为小写英文字母开头的短标识，如 "audit" / a short lowercase id like "audit"');
const Name = z.string().trim().min(1).max(20);
const Clock = z.string().refine((s) => parseStageClock(s) !== undefined, '时长应为如 "2wd"（工作日）、"24h"、"30m" / a clock like "2wd", "24h", "30m"');

const DocumentSchema = z.object({ name: Name, fields: z.array(Name).min(1) }).strict();

const StageSchema = z
  .object({
    id: Id,
    name: Name,
    documents: z.array(DocumentSchema).min(1),
    owner: z.string().min(1),
    signer: z.string().min(1),
    clock: Clock.optional(),
    verdicts: z.array(Name).min(2).optional(),
    /** The signer signs off by sending this document (the supplier's 排期计划), not by a click. */
    confirm: DocumentSchema.optional(),
    /** Fields of earlier documents whose date is this stage's deadline (计划时间, 交货时间). */
    dueFrom: z.array(Name).min(1).optional(),
    /** One of the stage's documents, needed once its deadline has passed (延期说明). */
    late: Name.optional(),
  })
  .strict();

const RoleSchema = z.object({ label: Name, aliases: z.array(Name).default([]), external: z.boolean().default(false) }).strict();

const ProcessSchema = z
  .object({
    name: Name,
    aliases: z.array(Name).default([]),
    urgent: z.boolean().default(false),
    roles: z.record(Id, RoleSchema).default({}),
    stages: z.array(StageSchema).min(1),
    clocks: z.object({ respond: Clock.optional(), solution: Clock.optional() }).strict().default({}),
    archiveName: z.string().min(1).default('{项目名称}-{协作类型}-{日期}'),
    retentionYears: z.number().int().min(1).max(30).default(1),
    /** `/变更` files this document, signed by this role; without it the type takes no changes. */
    change: z.object({ document: Name, signer: z.string().min(1) }).strict().optional(),
    /** `/满意度` sends this role a survey card (1–5 and a comment); without it the type has none. */
    survey: z.object({ document: Name, to: z.string().min(1) }).strict().optional(),
  })
  .strict();

type ProcessConfig = z.output<typeof ProcessSchema>;

const BUILTIN_ROLE_IDS = new Set(BUILTIN_ROLES.map((r) => r.id));

export const ProcessesSchema = z
  .record(Id, ProcessSchema.superRefine(stageIssues))
  .default({})
  .superRefine((all, ctx) => {
    const names = new Map<string, string>();
    for (const b of BUILTIN_PROCESSES) if (!(b.id in all)) for (const n of [b.name, ...b.aliases]) names.set(n, b.id);
    for (const [id, p] of Object.entries(all)) {
      for (const n of [p.name, ...p.aliases]) {
        const other = names.get(n);
        if (other && other !== id) ctx.addIssue({ code: 'custom', path: [id, 'name'], message: `类型名「${n}」已被 ${other} 使用 / name already used by ${other}` });
        names.set(n, id);
      }
    }
  });

/** Stages are unique, and each names roles that exist (built-in or the type's own). */
function stageIssues(p: ProcessConfig, ctx: z.RefinementCtx): void {
  const roles = new Set([...BUILTIN_ROLE_IDS, ...Object.keys(p.roles)]);
  const seen = new Set<string>();
  if (p.change && !roles.has(p.change.signer)) {
    ctx.addIssue({ code: 'custom', path: ['change', 'signer'], message: `未知角色「${p.change.signer}」；可用：${[...roles].join(', ')} / unknown role` });
  }
  if (p.survey && !roles.has(p.survey.to)) {
    ctx.addIssue({ code: 'custom', path: ['survey', 'to'], message: `未知角色「${p.survey.to}」；可用：${[...roles].join(', ')} / unknown role` });
  }
  p.stages.forEach((s, i) => {
    if (seen.has(s.id) || seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['stages', i, 'id'], message: `阶段重复：${s.id} / duplicate stage` });
    seen.add(s.id).add(s.name);
    if (s.late && !s.documents.some((d) => d.name === s.late)) {
      ctx.addIssue({ code: 'custom', path: ['stages', i, 'late'], message: `「${s.late}」不是该阶段的文档 / not a document of this stage` });
    }
    for (const k of ['owner', 'signer'] as const) {
      if (!roles.has(s[k])) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, k],
          message: `未知角色「${s[k]}」；可用：${[...roles].join(', ')}（自定义角色写在该类型的 roles 下）/ unknown role`,
        });
      }
    }
  });
}

/** The config entries as templates, in the shape the domain runs. */
export function processTemplates(cfg: Record<string, ProcessConfig>): ProcessTemplate[] {
  return Object.entries(cfg).map(([id, p]) => ({
    id,
    name: p.name,
    aliases: p.aliases,
    urgent: p.urgent,
    stages: p.stages,
    clocks: p.clocks,
    archiveName: p.archiveName,
    retentionYears: p.retentionYears,
    ...(p.change ? { change: p.change } : {}),
    ...(p.survey ? { survey: p.survey } : {}),
    roles: Object.entries(p.roles).map(([rid, r]) => ({ id: rid, label: r.label, aliases: r.aliases, external: r.external })),
  }));
}
