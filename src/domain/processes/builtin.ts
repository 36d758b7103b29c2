// The five built-in collaboration types, restated from the seeds (see docs/processes.md).
// Roles: initiator 发起人 · contact 对接人 (the request's contacts) · leader 负责人 · and the roles a
// type brings (客户对接人, 法务, 采购, 质量/技术, 供应商对接人, 合作方对接人), set with `/对接 #N @X role:法务`.

import type { DocumentTemplate, ProcessTemplate, RoleTemplate } from './template.ts';

/** Roles every type may use. */
export const BUILTIN_ROLES: readonly RoleTemplate[] = [
  { id: 'initiator', label: '发起人', aliases: ['需求方', 'initiator'] },
  { id: 'contact', label: '对接人', aliases: ['协作方', 'contact'] },
  { id: 'leader', label: '负责人', aliases: ['领导', 'leader'], fallback: 'initiator' },
  { id: 'customer', label: '客户对接人', aliases: ['客户', 'customer'], external: true },
  { id: 'supplier', label: '供应商对接人', aliases: ['供应商', 'supplier'], external: true },
  { id: 'partner', label: '合作方对接人', aliases: ['合作方', '合作伙伴', 'partner'], external: true },
  { id: 'legal', label: '法务', aliases: ['法务部', 'legal'] },
  { id: 'purchasing', label: '采购', aliases: ['采购部', '采购专员', 'purchasing'] },
  { id: 'quality', label: '质量/技术', aliases: ['质量', '技术', '质量部', 'quality'] },
];

const doc = (name: string, ...fields: string[]): DocumentTemplate => ({ name, fields });

const RETRO = doc('协作复盘报告', '项目名称', '复盘时间', '参与人员', '亮点', '不足', '改进措施');
const PROGRESS = doc('进度跟踪记录表', '任务名称', '当前状态', '完成度', '风险问题', '解决措施');
const ACCEPTANCE = doc('成果验收表', '成果名称', '交付方', '接收方', '验收标准', '验收结果', '签字确认');

const internal: ProcessTemplate = {
  id: 'internal',
  name: '跨部门',
  aliases: ['内部', '跨部门协作'],
  urgent: false,
  stages: [
    {
      id: 'request', name: '需求确认', owner: 'initiator', signer: 'contact', clock: '1wd', states: ['pending', 'objected', 'cancelled'],
      documents: [doc('协作需求发起表', '需求编号', '主题', '背景与目标', '具体需求', '涉及部门/人员', '优先级', '紧急程度', '期望完成时间', '交付标准', '附件')],
    },
    {
      id: 'contacts', name: '对接确认', owner: 'contact', signer: 'initiator', clock: '1wd',
      documents: [doc('协作对接信息表', '总对接人', '子对接人', '联系方式', '职责分工')],
    },
    {
      id: 'execute', name: '执行', owner: 'contact', signer: 'initiator', states: ['active', 'rework'],
      documents: [doc('任务分解与分配表', '任务名称', '责任人', '协作人', '交付标准', '截止时间'), PROGRESS],
    },
    { id: 'acceptance', name: '成果验收', owner: 'contact', signer: 'initiator', clock: '1wd', states: ['review'], documents: [ACCEPTANCE] },
    { id: 'retro', name: '复盘', owner: 'initiator', signer: 'contact', clock: '5wd', states: ['accepted', 'closed'], documents: [RETRO] },
  ],
  clocks: {},
  archiveName: '{项目名称}-{协作类型}-{日期}',
  retentionYears: 1,
  roles: [],
};

const customer: ProcessTemplate = {
  id: 'customer',
  name: '客户',
  aliases: ['外部客户', '客户对接'],
  urgent: false,
  stages: [
    { id: 'collect', name: '需求收集', owner: 'initiator', signer: 'customer', clock: '24h', documents: [doc('客户需求清单', '客户名称', '核心诉求', '预算范围', '期望交付时间')] },
    {
      id: 'review', name: '需求评审', owner: 'contact', signer: 'initiator', clock: '2wd', verdicts: ['可执行', '需调整', '不可执行'],
      documents: [doc('需求评审结论', '评审结论', '理由')],
    },
    { id: 'proposal', name: '方案确认', owner: 'initiator', signer: 'customer', documents: [doc('客户需求确认函', '方案版本', '关键条款')] },
    { id: 'contract', name: '合同签订', owner: 'initiator', signer: 'legal', documents: [doc('正式合同文本', '合同编号', '关键条款', '签订日期')] },
    {
      id: 'execute', name: '执行跟进', owner: 'contact', signer: 'customer',
      documents: [doc('进度报告', '已完成', '进行中', '下一步', '需配合'), doc('需求变更单', '变更内容', '原因', '客户确认')],
    },
    { id: 'aftersale', name: '售后闭环', owner: 'initiator', signer: 'customer', documents: [doc('满意度调研报告', '满意度评分', '意见', '遗留问题')] },
  ],
  clocks: { respond: '1h', solution: '24h' },
  archiveName: '{客户名称}-{项目名称}-{日期}',
  retentionYears: 3,
  roles: [],
  // The seeds: changes asked by the customer are written down (需求变更单) and confirmed by both sides.
  change: { document: '需求变更单', signer: 'customer' },
  survey: { document: '满意度调研报告', to: 'customer' },
};

const supplier: ProcessTemplate = {
  id: 'supplier',
  name: '供应商',
  aliases: ['采购'],
  urgent: false,
  stages: [
    {
      id: 'intent', name: '意向与资质', owner: 'purchasing', signer: 'supplier',
      documents: [doc('合作意向函', '合作范围', '资质要求', '交付标准'), doc('资质文件', '资质名称', '有效期'), doc('报价', '报价金额', '报价有效期')],
    },
    {
      id: 'evaluate', name: '评估选定', owner: 'purchasing', signer: 'quality',
      documents: [doc('供应商评估报告', '资质', '产能', '价格', '口碑'), doc('供应商选定通知', '供应商名称', '选定结果')],
    },
    {
      // The seeds: 采购 issues the order; the supplier confirms it with its 排期计划.
      id: 'order', name: '订单确认', owner: 'purchasing', signer: 'supplier',
      documents: [doc('采购订单', '规格', '数量', '交货时间', '验收标准')],
      confirm: doc('排期计划', '节点', '计划时间'),
    },
    {
      // Key nodes run to the supplier's plan (else the order's 交货时间); a delay needs a 延期说明
      // with an adjusted plan, whose 计划时间 becomes the node's new date.
      id: 'perform', name: '履约跟踪', owner: 'supplier', signer: 'purchasing',
      documents: [doc('进度跟踪记录', '关键节点', '确认时间', '状态'), doc('延期说明', '延期原因', '调整方案', '计划时间')],
      dueFrom: ['计划时间', '交货时间'],
      late: '延期说明',
    },
    {
      id: 'settle', name: '验收结算', owner: 'quality', signer: 'purchasing',
      documents: [doc('验收报告', '验收标准', '验收结果'), doc('结算凭证', '结算金额', '发票号')],
    },
  ],
  clocks: {},
  archiveName: '{供应商名称}-{项目名称}-{日期}',
  retentionYears: 3,
  roles: [],
};

const partner: ProcessTemplate = {
  id: 'partner',
  name: '合作伙伴',
  aliases: ['合作方', '联合项目'],
  urgent: false,
  stages: [
    { id: 'kickoff', name: '联合立项', owner: 'initiator', signer: 'partner', clock: '1wd', documents: [doc('分工与交付节点', '分工', '负责方', '交付节点')] },
    { id: 'execute', name: '执行', owner: 'partner', signer: 'initiator', documents: [PROGRESS] },
    { id: 'acceptance', name: '联合验收', owner: 'partner', signer: 'initiator', clock: '1wd', documents: [ACCEPTANCE] },
    { id: 'retro', name: '复盘', owner: 'initiator', signer: 'partner', clock: '5wd', documents: [RETRO] },
  ],
  clocks: {},
  archiveName: '{合作方名称}-{项目名称}-{日期}',
  retentionYears: 1,
  roles: [],
};

const emergency: ProcessTemplate = {
  id: 'emergency',
  name: '紧急',
  aliases: ['应急', '紧急事务'],
  urgent: true,
  stages: [
    { id: 'report', name: '上报', owner: 'initiator', signer: 'leader', clock: '1h', documents: [doc('紧急事项上报', '事项描述', '影响范围', '发现时间')] },
    { id: 'handle', name: '处置', owner: 'contact', signer: 'initiator', clock: '1h', documents: [doc('处置记录', '处置措施', '责任人', '完成时间')] },
    { id: 'recover', name: '恢复确认', owner: 'contact', signer: 'leader', clock: '1h', documents: [doc('恢复确认', '恢复情况', '确认时间')] },
    { id: 'retro', name: '复盘', owner: 'initiator', signer: 'leader', clock: '5wd', documents: [RETRO] },
  ],
  clocks: { respond: '1h' },
  archiveName: '{项目名称}-{协作类型}-{日期}',
  retentionYears: 1,
  roles: [],
};

export const BUILTIN_PROCESSES: readonly ProcessTemplate[] = [internal, customer, supplier, partner, emergency];

/** The type of every request that names none, and of requests made before types existed. */
export const DEFAULT_PROCESS = 'internal';
