// The collaboration types in force: the built-in ones, then the admin's `processes.<type>` from the
// config (a key that names a built-in type replaces it). Lookups accept what users type: the
// English id, the Chinese name or an alias.

import { BUILTIN_PROCESSES, BUILTIN_ROLES, DEFAULT_PROCESS } from './builtin.ts';
import type { ProcessTemplate, RoleTemplate, StageTemplate } from './template.ts';

export class ProcessRegistry {
  private readonly types = new Map<string, ProcessTemplate>();
  private readonly roles = new Map<string, RoleTemplate>();

  constructor(custom: readonly ProcessTemplate[] = []) {
    for (const t of [...BUILTIN_PROCESSES, ...custom]) this.types.set(t.id, t);
    for (const r of [...BUILTIN_ROLES, ...[...this.types.values()].flatMap((t) => t.roles)]) this.roles.set(r.id, r);
  }

  all(): ProcessTemplate[] {
    return [...this.types.values()];
  }

  /** The template of a stored type id; requests made before types (null) are 跨部门. */
  get(id: string | null | undefined): ProcessTemplate {
    return this.types.get(id ?? DEFAULT_PROCESS) ?? this.types.get(DEFAULT_PROCESS)!;
  }

  /** The type a user typed (`客户`, `customer`, an alias), or undefined. */
  find(word: string): ProcessTemplate | undefined {
    const w = word.trim().toLowerCase();
    return this.all().find((t) => t.id.toLowerCase() === w || t.name === w || t.aliases.some((a) => a.toLowerCase() === w));
  }

  role(id: string): RoleTemplate | undefined {
    return this.roles.get(id);
  }

  /** The role a user typed after `role:` (`法务`, `legal`, `质量`), or undefined. */
  findRole(word: string): RoleTemplate | undefined {
    const w = word.trim().toLowerCase();
    return [...this.roles.values()].find((r) => r.id.toLowerCase() === w || r.label === w || r.aliases.some((a) => a.toLowerCase() === w));
  }

  roleLabel(id: string): string {
    return this.roles.get(id)?.label ?? id;
  }

  /** Roles people are given with `/对接 role:` (the ones a request's own fields do not already say). */
  assignableRoles(): RoleTemplate[] {
    return [...this.roles.values()].filter((r) => r.id !== 'initiator' && r.id !== 'contact');
  }
}

export function stageOf(t: ProcessTemplate, id: string | null | undefined): StageTemplate | undefined {
  return t.stages.find((s) => s.id === id);
}

/** A stage a user typed, by name or id. */
export function findStage(t: ProcessTemplate, word: string): StageTemplate | undefined {
  const w = word.trim().toLowerCase();
  return t.stages.find((s) => s.name === w || s.id.toLowerCase() === w);
}

/** The stage after `id`, or undefined after the last one. */
export function nextStage(t: ProcessTemplate, id: string): StageTemplate | undefined {
  const i = t.stages.findIndex((s) => s.id === id);
  return i >= 0 ? t.stages[i + 1] : undefined;
}

/** Where a request stands given only its state (requests made before types): the first stage naming it. */
export function stageImpliedByState(t: ProcessTemplate, state: string): StageTemplate {
  return t.stages.find((s) => s.states?.includes(state)) ?? t.stages[0]!;
}

/** The archive file name by the type's pattern; unknown or empty placeholders become 未填写. */
export function archiveName(t: ProcessTemplate, v: { project: string; counterparty?: string | null; day: string }): string {
  const values: Record<string, string> = {
    项目名称: v.project,
    协作类型: t.name,
    日期: v.day.replaceAll('-', ''),
    客户名称: v.counterparty ?? '',
    供应商名称: v.counterparty ?? '',
    合作方名称: v.counterparty ?? '',
  };
  return t.archiveName.replace(/\{([^{}]+)\}/g, (_, k: string) => values[k]?.trim() || '未填写').replace(/[\\/:*?"<>|\s]+/g, '_');
}
