// Sides of a request (pure). The seeds: "每方指定1名总对接人，再根据任务细分子对接人". A side is a
// department or an outside organisation asked to collaborate; each has exactly one 总对接人:
// - an internal side: one `contact` row (every `to:` person of /需求 names the 总对接人 of a side);
// - an outside side: the one holder of 客户对接人 / 供应商对接人 / 合作方对接人 (`role:customer` …).
// 子对接人 (`sub` rows) belong to one side; which one is kept in the request's data (`subs`).

/** The people-row roles whose holder is a side's 总对接人. */
export const MAIN_ROLES: ReadonlySet<string> = new Set(['contact', 'role:customer', 'role:supplier', 'role:partner']);

export interface SidePerson {
  userId: string;
  role: string;
  status: string;
}

/** A sub-contact's side and confirmation clock, as kept in `item.data.subs[userId]`. */
export interface SubLink {
  /** The user id of the side's 总对接人. */
  side: string;
  /** When the sub-contact's confirmation is due (the side's response clock). */
  dueAt: number;
  /** The item version at which the duty was last set: a card drawn before it is stale. */
  v: number;
  /** The objection, when the sub-contact raised one. */
  objection?: string;
}

export type SubLinks = Readonly<Record<string, SubLink>>;

export function subLinks(data: Readonly<Record<string, unknown>>): Record<string, SubLink> {
  return { ...((data.subs as Record<string, SubLink> | undefined) ?? {}) };
}

/** The 总对接人 of every side, in the order they were named (internal sides first). */
export function mains(people: readonly SidePerson[]): string[] {
  const ordered = [...people.filter((p) => p.role === 'contact'), ...people.filter((p) => p.role !== 'contact' && MAIN_ROLES.has(p.role))];
  return [...new Set(ordered.map((p) => p.userId))];
}

/**
 * The 总对接人 accountable for `userId`'s part: the person themself when they are one, the main
 * contact of their side when they are a sub-contact, else the first side's (the request's first
 * `to:` contact). Without `links` a sub-contact's side is unknown and the first side answers.
 * Undefined when the request has no side yet.
 */
export function mainContactOf(people: readonly SidePerson[], userId?: string, links: SubLinks = {}): string | undefined {
  const all = mains(people);
  if (userId && all.includes(userId)) return userId;
  const side = userId ? links[userId]?.side : undefined;
  if (side && all.includes(side)) return side;
  return all[0];
}

/** Sub-contacts of the side whose 总对接人 is `main`. */
export function subsOf(people: readonly SidePerson[], links: SubLinks, main: string): string[] {
  return people.filter((p) => p.role === 'sub' && links[p.userId]?.side === main).map((p) => p.userId);
}

export type SidePick = { ok: true; main: string | null } | { ok: false; why: 'not-a-side' | 'ambiguous' };

/**
 * The side a `/对接` acts on, most specific first: the side named with `方:@总对接人`; the side the
 * person already belongs to; the side of the sender when they are its 总对接人; the only side.
 * `main: null` means no side exists yet (a new 总对接人 makes the first one).
 */
export function pickSide(people: readonly SidePerson[], links: SubLinks, q: { named?: string; user: string; actor: string; outside?: boolean }): SidePick {
  const all = mains(people.filter((p) => p.role === 'contact'));
  // A sub-contact may join an outside side too, when it is named; a 总对接人 is replaced here only
  // on an internal side (an outside side changes with its role: `role:客户对接人`).
  const nameable = q.outside ? mains(people) : all;
  if (q.named !== undefined) return nameable.includes(q.named) ? { ok: true, main: q.named } : { ok: false, why: 'not-a-side' };
  const own = links[q.user]?.side;
  if (own && nameable.includes(own) && people.some((p) => p.role === 'sub' && p.userId === q.user)) return { ok: true, main: own };
  if (nameable.includes(q.actor)) return { ok: true, main: q.actor };
  if (all.length === 1) return { ok: true, main: all[0]! };
  if (all.length === 0) return { ok: true, main: null };
  return { ok: false, why: 'ambiguous' };
}

/** The earliest confirmation still owed by a sub-contact: the side's response clock. */
export function subClock(people: readonly SidePerson[], links: SubLinks): number | null {
  const due = people.filter((p) => p.role === 'sub' && p.status !== 'confirmed' && links[p.userId]).map((p) => links[p.userId]!.dueAt);
  return due.length ? Math.min(...due) : null;
}
