// Expected mistakes are values: every step answers Got<T>, and a command's builder turns the
// first failure into a ParseResult carrying the usage.

import { usage } from './help.ts';
import type { Command, CommandName, ParseResult } from './types.ts';

export type Got<T> = { ok: true; value: T } | { ok: false; error: string };

export function ok<T>(value: T): Got<T> {
  return { ok: true, value };
}

export function err(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

export function done(command: Command): ParseResult {
  return { ok: true, command };
}

export function fail(command: CommandName, error: string): ParseResult {
  return { ok: false, error, usage: usage(command), command };
}
