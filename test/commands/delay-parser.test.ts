import { describe, expect, it } from 'vitest';
import { usage } from '../../src/commands/help.ts';
import { parseCommand } from '../../src/commands/parser.ts';
import type { Command } from '../../src/commands/types.ts';
import { at, makeCtx } from './fixtures.ts';

const DEC1_18 = at('2026-12-01T10:00:00Z');
const DEC8_18 = at('2026-12-08T10:00:00Z');

const OK: Array<[string, Command]> = [
  ['/延期 #15 12月8日 原因:接口延迟 计划:先用模拟数据', { name: 'delay', id: 15, due: DEC8_18, reason: '接口延迟', plan: '先用模拟数据' }],
  ['延期说明 15 截止：12-08 理由：芯片缺货 措施：改用替代料', { name: 'delay', id: 15, due: DEC8_18, reason: '芯片缺货', plan: '改用替代料' }],
  ['/delay #15 +2d reason:"vendor late" plan:"mock first"', { name: 'delay', id: 15, due: at('2026-11-25T02:00:00Z'), reason: 'vendor late', plan: 'mock first' }],
  ['/延期 #15 批准', { name: 'delay', id: 15, answer: 'approve' }],
  ['/delay 15 approve', { name: 'delay', id: 15, answer: 'approve' }],
  ['/延期 #15 拒绝 客户验收日期不能变', { name: 'delay', id: 15, answer: 'refuse', reason: '客户验收日期不能变' }],
  ['/延期 #15 不同意 原因:日期已对外公布', { name: 'delay', id: 15, answer: 'refuse', reason: '日期已对外公布' }],
  ['/里程碑 #12 联调完成 12月1日 重大', { name: 'milestone', id: 12, title: '联调完成', at: DEC1_18, major: true }],
  ['/里程碑 #12 接口 冻结 下周一 10点', { name: 'milestone', id: 12, title: '接口 冻结', at: at('2026-11-30T02:00:00Z'), major: false }],
  ['/milestone 12 "beta release" 2026-12-01 major', { name: 'milestone', id: 12, title: 'beta release', at: DEC1_18, major: true }],
  ['/里程碑 #12 上线 due:12月1日', { name: 'milestone', id: 12, title: '上线', at: DEC1_18, major: false }],
];

const ERRORS: Array<[string, 'delay' | 'milestone', string]> = [
  ['/延期 #15 原因:忙 计划:加班', 'delay', '缺少新的截止时间'],
  ['/延期 #15 12月8日 计划:加班', 'delay', '缺少延期原因'],
  ['/延期 #15 12月8日 原因:忙', 'delay', '缺少调整计划'],
  ['/延期 #15 下下下周八 原因:忙 计划:加班', 'delay', '无法识别的时间'],
  ['/延期 #15 拒绝', 'delay', '须写明原因'],
  ['/延期 12月8日 原因:忙 计划:加班', 'delay', '缺少编号'],
  ['/里程碑 #12 12月1日', 'milestone', '缺少里程碑名称或时间'],
  ['/里程碑 #12 联调完成 下下下周八', 'milestone', '无法识别的时间'],
];

describe('/延期 and /里程碑', () => {
  it.each(OK)('%s', (text, command) => {
    expect(parseCommand(text, makeCtx())).toEqual({ ok: true, command });
  });
  it.each(ERRORS)('%s', (text, command, error) => {
    const r = parseCommand(text, makeCtx());
    expect(r).toMatchObject({ ok: false, command, usage: usage(command) });
    expect(r?.ok === false && r.error).toContain(error);
  });
});
