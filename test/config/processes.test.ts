import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.ts';
import { processTemplates } from '../../src/config/processes.ts';
import { ProcessRegistry } from '../../src/domain/processes/registry.ts';

const stage = (id: string, owner = 'initiator', signer = 'contact') => ({
  id,
  name: `阶段${id}`,
  documents: [{ name: `${id}单`, fields: ['内容'] }],
  owner,
  signer,
});

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('processes config', () => {
  it('a custom type is read into a template; a key naming a built-in type replaces it', () => {
    const c = parseConfig({
      processes: {
        audit: { name: '审计', roles: { auditor: { label: '审计员' } }, stages: [stage('plan', 'initiator', 'auditor'), stage('report', 'auditor', 'leader')] },
        partner: { name: '合作伙伴', stages: [stage('only')] },
      },
    });
    const reg = new ProcessRegistry(processTemplates(c.processes));
    expect(reg.find('审计')).toMatchObject({ id: 'audit', urgent: false, retentionYears: 1, archiveName: '{项目名称}-{协作类型}-{日期}' });
    expect(reg.findRole('审计员')?.id).toBe('auditor');
    expect(reg.find('合作伙伴')!.stages.map((s) => s.id)).toEqual(['only']);
    expect(reg.find('客户')!.stages).toHaveLength(6);
  });

  it('refuses an invalid processes config at start-up, naming each bad key', () => {
    const bad = problems({
      processes: {
        Audit: { name: '审计', stages: [stage('a')] },
        audit: { name: '审计', stages: [stage('plan', 'initiator', 'nobody'), stage('plan')] },
        clocked: { name: '计时', stages: [{ ...stage('a'), clock: 'soon' }, { ...stage('x'), documents: [] }], colour: 'red' },
        empty: { name: '空', stages: [] },
      },
    });
    const text = bad.join('\n');
    expect(text).toContain('processes.Audit');
    expect(text).toMatch(/processes\.audit\.stages\.0\.signer: 未知角色「nobody」/);
    expect(text).toContain('processes.audit.stages.1.id: 阶段重复');
    expect(text).toContain('processes.clocked.stages.0.clock');
    expect(text).toContain('processes.clocked.stages.1.documents');
    expect(text).toContain('processes.clocked.colour');
    expect(text).toContain('processes.empty.stages');
    // A type name taken by another type is refused (checked once every entry is well formed).
    expect(problems({ processes: { audit: { name: '客户', stages: [stage('a')] } } }).join()).toContain('processes.audit.name: 类型名「客户」已被 customer 使用');
  });
});
