import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PROCESSES } from '../../src/domain/processes/builtin.ts';
import { archiveName, ProcessRegistry, stageImpliedByState } from '../../src/domain/processes/registry.ts';
import { clockLabel, parseStageClock } from '../../src/domain/processes/template.ts';
import { REQUEST_STATES } from '../../src/domain/request.machine.ts';

const reg = new ProcessRegistry();

describe('built-in process templates', () => {
  it.each(BUILTIN_PROCESSES.map((t) => [t.name, t] as const))('%s: stages unique, roles known, clocks valid', (_n, t) => {
    const ids = t.stages.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of t.stages) {
      expect(reg.role(s.owner), `${t.id}.${s.id}.owner`).toBeDefined();
      expect(reg.role(s.signer), `${t.id}.${s.id}.signer`).toBeDefined();
      if (s.clock) expect(parseStageClock(s.clock), s.clock).toBeDefined();
      expect(s.documents.length).toBeGreaterThan(0);
    }
  });

  it('types are found by Chinese name, English id and alias; names never collide', () => {
    expect(reg.find('客户')?.id).toBe('customer');
    expect(reg.find('Supplier')?.id).toBe('supplier');
    expect(reg.find('应急')?.id).toBe('emergency');
    const names = BUILTIN_PROCESSES.flatMap((t) => [t.name, ...t.aliases]);
    expect(new Set(names).size).toBe(names.length);
    expect(reg.get(null).id).toBe('internal');
  });

  it('every request state implies a stage of 跨部门 (for requests made before types)', () => {
    const internal = reg.get('internal');
    for (const s of REQUEST_STATES) expect(internal.stages).toContain(stageImpliedByState(internal, s));
  });

  it('clocks read as working days or wall time', () => {
    expect(parseStageClock('2wd')).toEqual({ workdays: 2 });
    expect(parseStageClock('24h')).toEqual({ ms: 86_400_000 });
    expect(parseStageClock('soon')).toBeUndefined();
    expect(clockLabel('2wd')).toBe('2 个工作日');
    expect(clockLabel('1h')).toBe('1 小时');
  });

  it('names the archive by the type pattern (客户: 客户名称-项目名称-日期)', () => {
    expect(archiveName(reg.get('customer'), { project: '智能办公系统', counterparty: 'A科技公司', day: '2026-11-23' })).toBe('A科技公司-智能办公系统-20261123');
    expect(archiveName(reg.get('internal'), { project: '官网 改版', day: '2026-11-23' })).toBe('官网_改版-跨部门-20261123');
    expect(archiveName(reg.get('supplier'), { project: 'P', day: '2026-11-23' })).toBe('未填写-P-20261123');
  });

  it('docs/processes.md carries every built-in type, stage and document', () => {
    const doc = readFileSync(join(__dirname, '../../docs/processes.md'), 'utf8');
    for (const t of BUILTIN_PROCESSES) {
      expect(doc).toContain(`\`${t.id}\``);
      for (const s of t.stages) {
        expect(doc, `${t.id}.${s.id}`).toContain(s.name);
        for (const d of s.documents) expect(doc, `${t.id}.${s.id} ${d.name}`).toContain(d.name);
      }
    }
  });
});
