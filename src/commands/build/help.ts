import { done } from '../result.ts';
import type { ParseResult } from '../types.ts';
import type { Input } from './input.ts';

/** `/帮助 [命令]` — the topic is passed on as typed (any alias); help.ts resolves it. */
export function buildHelp(i: Input): ParseResult {
  const topic = i.body.trim().replace(/^[/／]/, '').trim();
  return done({ name: 'help', topic: topic || undefined });
}
