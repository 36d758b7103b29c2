// Which configured clock an item's response clock runs on, per kind and state — one table, read by
// the engine (when it starts a clock) and the reminders (how a heads-up and lateness are counted).

import { type Duration, parseClockDuration } from './working-time.ts';

export type ClockName = 'ordinary' | 'urgent' | 'confirm' | 'accept' | 'retro';
export type ClockSet = Record<ClockName, Duration>;

/** 'response' is the ordinary or the urgent clock, by the item's urgency. */
const CLOCK_OF: Record<string, ClockName | 'response'> = {
  'request:pending': 'confirm',
  'request:objected': 'confirm',
  'request:review': 'accept',
  'task:review': 'accept',
  'issue:open': 'response',
  'issue:verify': 'accept',
  'ask:waiting': 'response',
};

/** A kind and state's clock; undefined when it has none of the configured ones (minutes: 24 h). */
export function clockNameOf(kind: string, state: string, urgent: boolean): ClockName | undefined {
  const name = CLOCK_OF[`${kind}:${state}`];
  return name === 'response' ? (urgent ? 'urgent' : 'ordinary') : name;
}

/**
 * Clocks that wait on nobody's answer, so compliance reports (which rebuild runs from
 * clockNameOf) leave them out; the reminders still watch them: a closed request owes its
 * retrospective.
 */
const DUTY_CLOCK_OF: Record<string, ClockName> = {
  'request:closed': 'retro',
};

/** The clock the reminders watch for a kind and state: a response clock, else a duty clock. */
export function watchedClockOf(kind: string, state: string, urgent: boolean): ClockName | undefined {
  return clockNameOf(kind, state, urgent) ?? DUTY_CLOCK_OF[`${kind}:${state}`];
}

/** The configured clock texts ("1wd", "2h") parsed against one working day's length. */
export function clockSet(texts: Record<ClockName, string>, workdayMs: number): ClockSet {
  const parse = (name: ClockName): Duration => {
    const d = parseClockDuration(texts[name], workdayMs);
    if (!d) throw new Error(`invalid clock duration clocks.${name}: "${texts[name]}"`);
    return d;
  };
  return { ordinary: parse('ordinary'), urgent: parse('urgent'), confirm: parse('confirm'), accept: parse('accept'), retro: parse('retro') };
}
