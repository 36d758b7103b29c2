// The collaboration types in force for a config, and who holds a stage's role on a request.

import { processTemplates } from '../config/processes.ts';
import type { Config } from '../config/schema.ts';
import { ProcessRegistry } from '../domain/processes/registry.ts';
import type { ItemRow, PersonRow } from '../db/repo.ts';

type WithProcesses = { processes?: Config['processes'] };
const registries = new WeakMap<WithProcesses, ProcessRegistry>();

/** Built once per loaded config (the config never changes while the bot runs). */
export function processRegistry(config: WithProcesses): ProcessRegistry {
  let r = registries.get(config);
  if (!r) {
    r = new ProcessRegistry(processTemplates(config.processes ?? {}));
    registries.set(config, r);
  }
  return r;
}

/** How a role a type brings is stored among a request's people. */
export function roleKey(roleId: string): string {
  return `role:${roleId}`;
}

/**
 * The people who hold `roleId` on the request, first the one who signs for it: the initiator,
 * the contacts (main contacts, in the order they were named), or those given the role with
 * `/对接 role:`. Nobody holding it means its fallback role; the leader (负责人) falls back to the
 * group's leader (`groupLeader`, from `/设置 负责人:`) before the initiator.
 */
export function holders(reg: ProcessRegistry, item: ItemRow, people: readonly PersonRow[], roleId: string, groupLeader?: string | null, depth = 0): string[] {
  if (roleId === 'initiator') return [item.initiatorId];
  const role = roleId === 'contact' ? 'contact' : roleKey(roleId);
  const ids = people.filter((p) => p.role === role).map((p) => p.userId);
  if (ids.length > 0 || depth > 3) return ids;
  if (roleId === 'leader' && groupLeader) return [groupLeader];
  const fallback = reg.role(roleId)?.fallback;
  return fallback ? holders(reg, item, people, fallback, groupLeader, depth + 1) : [];
}
