// What every doctor check returns, and the small helpers the platform checks share.

import pino from 'pino';
import { PlatformError } from '../../platforms/platform.ts';

export interface Check {
  name: string;
  ok: boolean;
  /** Warnings do not fail the doctor. */
  level: 'ok' | 'warn' | 'error';
  /** What was found. */
  detail: string;
  /** What to do about it, Chinese first then English: the console clicks or the config key. */
  fix?: string;
}

export interface DoctorOptions {
  now?: Date;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /**
   * Chats to send a self-check message into (`--chat`): `feishu:oc_…`, `dingtalk:cid…`, or a
   * bare id (Feishu ids start with `oc_`, DingTalk's with `cid`).
   */
  chats?: string[];
}

/** What a platform check gets: the options, and the one chat it may post into. */
export interface PlatformCheckOptions extends DoctorOptions {
  chat?: string;
}

export const ok = (name: string, detail: string): Check => ({ name, ok: true, level: 'ok', detail });
export const warn = (name: string, detail: string, fix?: string): Check => ({ name, ok: true, level: 'warn', detail, ...(fix ? { fix } : {}) });
export const bad = (name: string, detail: string, fix?: string): Check => ({ name, ok: false, level: 'error', detail, ...(fix ? { fix } : {}) });

/** The API clients log through pino; the doctor reports failures itself. */
export const quietLog = pino({ level: 'silent' });

/** The vendor code and message of a failed call (a PlatformError, or anything thrown). */
export function vendorError(err: unknown): { code: string; message: string } {
  if (err instanceof PlatformError) return { code: err.code, message: err.message };
  return { code: 'network', message: (err as Error)?.message ?? String(err) };
}

export async function post(url: string, body: unknown, o: DoctorOptions): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await (o.fetch ?? fetch)(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text.slice(0, 200) };
  }
  return { status: res.status, json };
}

/** A neutral card the doctor posts to show that cards reach the chat. */
export function selfCheckCard(now: Date) {
  const when = now.toISOString().replace('T', ' ').slice(0, 16);
  return {
    header: { title: 'Groupflow 自检 / self-check', color: 'green' as const, tag: 'doctor' },
    fields: [{ label: '时间 / time', value: `${when} UTC` }],
    markdown: ['这是 `npm run doctor` 发出的自检卡片，可以忽略。 / Sent by `npm run doctor`; you can ignore it.'],
    buttons: [],
    mentions: [],
    summary: 'Groupflow 自检 / self-check',
  };
}
