// A typed transition table plus one pure function, in the spirit of xstate's `transition`:
// given the current state, an action and the facts about the actor, decide the next state
// without doing anything. The engine applies the decision.

export interface Transition<S extends string, A extends string, R extends string, G extends string> {
  from: readonly S[];
  action: A;
  to: S;
  /** Roles any of which may take this action. */
  who: readonly R[];
  /** Named guard that must hold (evaluated by the caller-supplied guard table). */
  guard?: G;
}

export type Decision<S extends string, A extends string, R extends string, G extends string> =
  | { ok: true; to: S; row: Transition<S, A, R, G> }
  | { ok: false; reason: 'not_allowed' }
  | { ok: false; reason: 'forbidden'; who: readonly R[] }
  | { ok: false; reason: 'guard'; guard: G };

/**
 * Picks the first row whose `from` and `action` match, whose `who` includes one of the actor's
 * roles and whose guard holds. Failures are reported most-specific first: a matching row whose
 * guard failed, else one the actor may not take, else no row at all.
 */
export function decide<S extends string, A extends string, R extends string, G extends string>(
  table: readonly Transition<S, A, R, G>[],
  state: S,
  action: A,
  roles: ReadonlySet<R>,
  guards: Readonly<Record<G, boolean>>,
): Decision<S, A, R, G> {
  const rows = table.filter((r) => r.action === action && r.from.includes(state));
  if (rows.length === 0) return { ok: false, reason: 'not_allowed' };
  const permitted = rows.filter((r) => r.who.some((w) => roles.has(w)));
  if (permitted.length === 0) return { ok: false, reason: 'forbidden', who: rows[0]!.who };
  const row = permitted.find((r) => r.guard === undefined || guards[r.guard]);
  if (!row) return { ok: false, reason: 'guard', guard: permitted[0]!.guard! };
  return { ok: true, to: row.to, row };
}
