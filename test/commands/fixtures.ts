// Shared context for the parser tests: Monday 2026-11-23 10:00 in Shanghai, a small directory
// of group members, and which of them the platform resolved as mention tokens.

import type { UserRef } from '../../src/domain/chat.ts';
import type { ParseContext } from '../../src/commands/types.ts';

export const ZS: UserRef = { id: 'feishu:ou_zs', name: '张三' };
export const LS: UserRef = { id: 'feishu:ou_ls', name: '李四' };
export const WW: UserRef = { id: 'feishu:ou_ww', name: '王五' };
export const ZL: UserRef = { id: 'feishu:ou_zl', name: '赵六' };
export const ALICE: UserRef = { id: 'feishu:ou_alice', name: 'alice' };

const DIRECTORY = [ZS, LS, WW, ZL, ALICE];

export const NOW = new Date('2026-11-23T10:00:00+08:00');

/** Tokens `<@feishu:ou_zs>` and `<@feishu:ou_ls>` are platform mentions; others resolve by name. */
export function makeCtx(mentions: UserRef[] = [ZS, LS]): ParseContext {
  return {
    now: NOW,
    timezone: 'Asia/Shanghai',
    defaultDueTime: '18:00',
    mentions,
    resolveName: (name) => DIRECTORY.find((u) => u.name === name),
  };
}

export const at = (iso: string) => new Date(iso);
