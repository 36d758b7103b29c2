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

  it('a stage confirmed with the signer\'s document, running to a date of an earlier document, with a delay note', () => {
    const ship = { ...stage('ship'), documents: [{ name: '发货单', fields: ['内容'] }, { name: '延期说明', fields: ['原因', '计划时间'] }], dueFrom: ['计划时间'], late: '延期说明' };
    const c = parseConfig({
      processes: {
        delivery: { name: '交付', roles: { vendor: { label: '厂商', external: true } }, stages: [{ ...stage('plan', 'initiator', 'vendor'), confirm: { name: '排期', fields: ['计划时间'] } }, ship] },
      },
    });
    const t = new ProcessRegistry(processTemplates(c.processes)).find('交付')!;
    expect(t.stages[0]!.confirm).toEqual({ name: '排期', fields: ['计划时间'] });
    expect(t.stages[1]).toMatchObject({ dueFrom: ['计划时间'], late: '延期说明' });
    expect(t.roles[0]).toMatchObject({ id: 'vendor', external: true });
    expect(problems({ processes: { delivery: { name: '交付', stages: [{ ...stage('ship'), late: '延期说明' }] } } }).join()).toContain('processes.delivery.stages.0.late: 「延期说明」不是该阶段的文档');
  });

  it('refuses an invalid processes config at start-up, naming each bad key', () => {
    const bad = problems({
      processes: {
        Audit: { name: '审计', stages: [stage('a')] },
        audit: { name: '审计', stages: [stage('plan', 'initiator', 'nobody'), stage('plan')] },
        clocked: { name: '计时', stages: [{ ...stage('a'), clock: 'soon' }, { ...stage('x'), documents: [] }], colour: 'red' },
        empty: { name: '空', stages: [] },
        delivery: { name: '交付', stages: [{ ...stage('ship'), late: '延期说明', confirm: { name: '排期', fields: [] } }], roles: { vendor: { label: '厂商', external: 'yes' } } },
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
    expect(text).toContain('processes.delivery.stages.0.confirm.fields');
    expect(text).toContain('processes.delivery.roles.vendor.external');
    // A type name taken by another type is refused (checked once every entry is well formed).
    expect(problems({ processes: { audit: { name: '客户', stages: [stage('a')] } } }).join()).toContain('processes.audit.name: 类型名「客户」已被 customer 使用');
  });
});
