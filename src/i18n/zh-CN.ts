// User-facing text, Chinese first.

export const STATE_LABEL: Record<string, string> = {
  pending: '待确认',
  objected: '有异议',
  active: '进行中',
  review: '待验收',
  rework: '需整改',
  accepted: '已验收',
  closed: '已关闭',
  cancelled: '已取消',
  todo: '待开始',
  doing: '进行中',
  done: '已完成',
  waiting: '待回复',
  answered: '已回复',
  info: '已暂停',
  open: '待处理',
  working: '处理中',
  verify: '待验证',
  confirmed: '已确认',
  logged: '已记录',
  planned: '计划中',
};

export const ACTION_LABEL: Record<string, string> = {
  create: '发起',
  confirm: '确认',
  object: '提出异议',
  submit: '提交成果',
  accept: '验收通过',
  reject: '驳回',
  close: '关闭',
  cancel: '取消',
  reopen: '重开',
  contact: '设置对接人',
  progress: '更新进度',
  reply: '回复',
  needinfo: '需补充信息',
  supply: '补充信息',
  resolve: '提交解决',
  verify: '验证通过',
  due: '改期',
  assign: '转交',
  retro: '复盘',
  todo: '生成待办',
  stage_done: '完成阶段',
  signoff: '签核',
  refuse: '退回',
  skip: '跳过阶段',
  stage_delay: '提交延期说明',
  role: '指定角色',
  progress_report: '进度报告',
  change: '登记变更',
  change_ok: '确认变更',
  change_no: '不同意变更',
  survey_sent: '发送满意度调研',
  survey: '填写满意度调研',
  delay: '提交延期说明',
  delay_ok: '批准延期',
  delay_no: '拒绝延期',
};

export const ROLE_LABEL: Record<string, string> = {
  initiator: '发起人',
  contact: '对接人',
  pendingContact: '待确认的对接人',
  owner: '责任人',
  reviewer: '验收人',
  helper: '协作人',
  asker: '提问人',
  asked: '被提问人',
  pendingAttendee: '未确认的参会人',
};

export const PRIORITY_LABEL: Record<string, string> = { high: '高', medium: '中', low: '低' };

export const KIND_LABEL: Record<string, string> = {
  request: '需求',
  task: '任务',
  ask: '反馈',
  issue: '问题',
  minutes: '会议纪要',
  note: '记录',
  milestone: '里程碑',
};

// State names do not collide across kinds, so one table serves all; `kind` is for future use.
export function stateLabel(s: string, _kind?: string): string {
  return STATE_LABEL[s] ?? s;
}
