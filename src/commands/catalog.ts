// The command table: names in both languages, the options each command takes, usage and
// examples. The parser, the help texts and the README all come from here.

import type { Key } from './keys.ts';
import type { CommandName } from './types.ts';

export interface CommandSpec {
  name: CommandName;
  /** Chinese names; the first is the canonical one shown in help. */
  zh: readonly string[];
  /** English names (matched case-insensitively); the first is canonical. */
  en: readonly string[];
  /** Option keys the command accepts. */
  keys: readonly Key[];
  usage: string;
  example: string;
  summary: string;
  /** Further examples and notes for `/帮助 <命令>`. */
  more?: readonly string[];
  notes?: readonly string[];
}

/** The accepted time forms: in help, and in the error for a missing or unreadable deadline. */
export const WHEN_NOTE = '时间写法：2026-12-01、12-01、12月1日、12/1 17:00、明天、后天、周五、下周一 10点、3天后、+2d、+4h；只写日期时为当天的默认截止时刻（默认 18:00）。';
const ATTACH_NOTE = '#需求编号 写在命令之后：记录归入该需求（/查看、/周报、/归档 都会带上）；不写时，本群只有一个进行中的需求则默认归入它。';
const QUOTE_NOTE = '选项值含空格或「键:」字样时可加引号："…"、“…”、「…」。';

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'help', zh: ['帮助'], en: ['help'], keys: [],
    usage: '/帮助 [命令]', example: '/帮助 需求',
    summary: '查看全部命令，或某个命令的详细用法',
  },
  {
    name: 'req', zh: ['需求'], en: ['req'], keys: ['to', 'due', 'pri', 'std', 'background', 'type', 'customer', 'supplier', 'partner', 'lead'],
    usage: '/需求 <标题> to:@对接人… due:<时间> [pri:高/中/低] [std:<交付标准>] [类型:客户 客户:<名称>] [负责人:@负责人]',
    example: '/需求 官网改版接口联调 to:@张三 @李四 due:12月1日 pri:高 std:联调通过并出测试报告',
    summary: '发起协作需求，向每位对接人发送确认卡片',
    more: [
      '/req Checkout API integration to:@alice due:+2d pri:high std:"tests pass"',
      '/需求 数据看板 紧急 对接：@王五 截止：下周一 10点 背景：季度汇报',
      '/需求 智能办公系统定制 to:@王五 类型:客户 客户:A科技公司 截止:12月20日',
      '/需求 支付系统升级 to:@李四 截止:12月15日 负责人:@赵六',
    ],
    notes: [
      '标题写在第一个选项之前；to: 至少一位对接人；截止:/due: 必填。',
      '类型：跨部门（默认）/客户/供应商/合作伙伴/紧急，各有自己的阶段（/阶段 #编号 查看）；客户:/供应商:/合作方: 写对方名称。', '写上「紧急」/「不急」标记紧急程度。',
      '负责人: 为本需求指定负责人（同 /对接 #编号 @某人 role:负责人），优先于本群负责人（/设置 负责人:）：超时升级的最后一级。', WHEN_NOTE, QUOTE_NOTE],
  },
  {
    name: 'contact', zh: ['对接'], en: ['contact'], keys: ['role', 'side', 'duty', 'external', 'reason'],
    usage: '/对接 #需求编号 @对接人 [role:总/子/法务/客户对接人/…] [方:@该方总对接人] [duty:<职责>] [外部:<外部联系人>] [原因:<原因>]',
    example: '/对接 #12 @王五 role:子 duty:负责接口文档',
    summary: '指定需求的总对接人、子对接人，或协作类型带来的角色',
    more: [
      '/对接 #12 @赵六 role:总',
      '/对接 #12 @赵六 role:总 方:@李四',
      '/对接 #12 @王五 role:子 方:@李四 duty:前端页面',
      '/对接 #12 @赵六 role:法务',
      '/对接 #12 @张三 role:客户对接人 外部:A科技公司刘总',
      '/对接 #12 @赵六 role:客户对接人 外部:A科技公司陈经理 原因:刘总调岗',
    ],
    notes: [
      '每个协作方只有一位总对接人：不写 role 是新增一方；写 role:总 是替换该方的总对接人（原总对接人不再担任，可再用 role:子 加回）。有多个协作方时用 方:@该方总对接人 指明哪一方。',
      '子对接人在自己的卡片上确认分工（只有本人点击有效），确认前按对接确认时限提醒。',
      '客户对接人、供应商对接人、合作方对接人每方一位，再次指定即更换；更换客户需求的客户对接人须写 原因:，并在群里告知新旧对接人。',
      '协作类型带来的角色：客户对接人、供应商对接人、合作方对接人、法务、采购、质量/技术、负责人；只有该角色的人能签核对应阶段。',
    ],
  },
  {
    name: 'task', zh: ['任务'], en: ['task'], keys: ['with', 'due', 'std'],
    usage: '/任务 [#需求编号] <任务> @责任人 [with:@协作人…] due:<时间> [std:<交付标准>]',
    example: '/任务 #12 完成登录接口 @王五 with:@赵六 due:周五 std:通过联调',
    summary: '分解任务，责任到人',
    notes: ['选项之外的第一个 @ 是责任人（只能一位）；协作人写在 with: 后；截止:/due: 必填。', WHEN_NOTE],
  },
  {
    name: 'progress', zh: ['进度'], en: ['progress'], keys: ['risk', 'plan'],
    usage: '/进度 #任务编号 <0–100>% [说明] [risk:<风险>] [plan:<应对措施>]',
    example: '/进度 #15 60% risk:第三方接口延迟 plan:先用模拟数据联调',
    summary: '更新任务进度、风险和应对措施',
  },
  {
    name: 'ask', zh: ['反馈', '提问'], en: ['ask'], keys: ['to'],
    usage: '/反馈 [#需求编号] @对象… <问题> [紧急]',
    example: '/反馈 #12 @张三 接口文档什么时候能给？ 紧急',
    summary: '提出需要答复的问题（一般 1 个工作日、紧急 2 小时内答复）',
    notes: ['开头的 @ 是提问对象；写上「紧急」「加急」或 urgent 即为紧急。', ATTACH_NOTE],
  },
  {
    name: 'reply', zh: ['回复'], en: ['reply'], keys: [],
    usage: '/回复 #问题编号 <答复>', example: '/回复 #20 周三前提供',
    summary: '答复一个问题',
  },
  {
    name: 'more', zh: ['补充'], en: ['more'], keys: [],
    usage: '/补充 #编号 <需要补充的信息 / 补充的内容>', example: '/补充 #20 请说明是哪个环境',
    summary: '被提问人或问题责任人请发起人补充信息（时限暂停），发起人补充后时限恢复',
  },
  {
    name: 'note', zh: ['记录'], en: ['note'], keys: ['todo', 'due'],
    usage: '/记录 [#需求编号] <沟通内容> [紧急] [todo:<待办> @责任人 due:<时间>]…',
    example: '/记录 #12 与客户确认了验收标准 todo:整理验收清单 @王五 due:明天',
    summary: '记录一次沟通，待办自动转为任务',
    notes: ['可写多条 todo:，每条都要有 @责任人和截止时间；due: 跟在所属的 todo: 之后。', ATTACH_NOTE, WHEN_NOTE],
  },
  {
    name: 'issue', zh: ['问题'], en: ['issue'], keys: ['sev', 'due', 'impact'],
    usage: '/问题 [#需求编号] <问题描述> sev:一般/重要/紧急 @责任人 due:<时间> [impact:<影响>]',
    example: '/问题 #12 支付回调超时 sev:重要 @王五 due:后天 impact:影响验收',
    summary: '登记问题，跟踪到闭环',
    notes: ['一般：不影响进度；重要：延误 3 天以内；紧急：延误超过 3 天或重大损失。', 'due: 是计划解决时间，必填。', ATTACH_NOTE, WHEN_NOTE],
  },
  {
    name: 'resolve', zh: ['解决'], en: ['resolve'], keys: ['evidence'],
    usage: '/解决 #问题编号 <处理结果> [evidence:<证据链接>]',
    example: '/解决 #21 已扩容回调队列 evidence:https://example.com/report',
    summary: '提交问题处理结果，请发起人验证',
  },
  {
    name: 'minutes', zh: ['纪要', '会议纪要'], en: ['minutes'], keys: ['time', 'place', 'attendees', 'due'],
    usage: '/纪要 [#需求编号] <会议主题>\n时间：<时间>\n地点：<地点>\n参会：@甲 @乙\n- <议题>\n- <决议> @责任人 due:<时间>',
    example: '/纪要 #12 接口联调周会\n时间：今天 14:00\n地点：3楼会议室\n参会：@张三 @李四\n- 回顾上周进度\n- 周五前完成联调 @张三 due:周五',
    summary: '发布会议纪要，每项决议转为待办',
    notes: [
      '每行一项，可用 - · • 或 1. 开头；带 @责任人 的是决议（必须写 due:），否则是议题。',
      '参会人和未参会的决议责任人须在会议时间（时间：/会议时间：）后 24 小时内确认；未写时间则从发布起算。',
      ATTACH_NOTE,
      WHEN_NOTE,
    ],
  },
  {
    name: 'submit', zh: ['提交'], en: ['submit'], keys: ['evidence'],
    usage: '/提交 #编号 <交付内容> [evidence:<链接>]',
    example: '/提交 #15 登录接口已上线 evidence:https://example.com/doc',
    summary: '提交成果，请验收人验收',
  },
  {
    name: 'close', zh: ['关闭'], en: ['close'], keys: [],
    usage: '/关闭 #编号', example: '/关闭 #12',
    summary: '关闭事项（闭环）',
  },
  {
    name: 'reopen', zh: ['重开'], en: ['reopen'], keys: ['reason'],
    usage: '/重开 #编号 [reason:<原因>]', example: '/重开 #12 reason:验证未通过',
    summary: '重新打开事项',
  },
  {
    name: 'cancel', zh: ['取消'], en: ['cancel'], keys: ['reason'],
    usage: '/取消 #编号 [reason:<原因>]', example: '/取消 #12 reason:需求变更',
    summary: '取消事项',
  },
  {
    name: 'due', zh: ['改期'], en: ['due'], keys: ['due', 'reason'],
    usage: '/改期 #编号 <新时间> reason:<原因>',
    example: '/改期 #15 下周一 10点 reason:第三方接口延期',
    summary: '修改截止时间（必须写原因）',
    notes: [WHEN_NOTE],
  },
  {
    name: 'delay', zh: ['延期', '延期说明'], en: ['delay'], keys: ['due', 'reason', 'plan'],
    usage: '/延期 #编号 <新时间> reason:<延期原因> plan:<调整计划>',
    example: '/延期 #15 12月8日 原因:第三方接口延迟交付 计划:先用模拟数据联调，接口到位后一天内切换',
    summary: '责任人提交延期说明，请发起人审批；批准后截止时间才改变',
    more: ['/delay #15 +2d reason:"vendor API late" plan:"mock first, switch in a day"', '/延期 #15 批准', '/延期 #15 拒绝 原因:客户验收日期不能变'],
    notes: [
      '任务、问题由责任人提交，需求由对接人提交；发起人在卡片上批准或拒绝（拒绝须写原因），也可发送 /延期 #编号 批准 或 /延期 #编号 拒绝 原因:<原因>。',
      '新时间须晚于现在；早于原截止时间的称为「调整」。一件事项同一时间只有一份待审批的延期说明。',
      WHEN_NOTE,
    ],
  },
  {
    name: 'milestone', zh: ['里程碑'], en: ['milestone'], keys: ['due'],
    usage: '/里程碑 #需求编号 <名称> <时间> [重大]',
    example: '/里程碑 #12 联调完成 12月10日 重大',
    summary: '设置需求的里程碑：阶段成果提前 1 个工作日提交，重大里程碑提前 3 个工作日在群里预告',
    more: ['/milestone #12 "beta release" 2026-12-10 major'],
    notes: [
      '里程碑前 1 个工作日上班时提醒对接人提交阶段成果；写上「重大」（major）的里程碑提前 3 个工作日上班时在群里预告。工作日按法定节假日和调休计算。',
      '/查看 #需求编号 列出全部里程碑。', WHEN_NOTE,
    ],
  },
  {
    name: 'assign', zh: ['转交'], en: ['assign'], keys: ['to', 'reason'],
    usage: '/转交 #编号 @新责任人 [reason:<原因>]', example: '/转交 #15 @赵六 reason:王五休假',
    summary: '转交给新的责任人',
  },
  {
    name: 'retro', zh: ['复盘'], en: ['retro'], keys: ['good', 'bad', 'improve'],
    usage: '/复盘 #编号 [good:<亮点>] [bad:<不足>] [improve:<改进>]',
    example: '/复盘 #12 good:对接及时 bad:需求变更多 improve:需求评审前置',
    summary: '协作复盘（至少填一项）',
    notes: ['需求关闭后未复盘的，到期（默认关闭后 5 个工作日）提醒发起人，之后升级。'],
  },
  {
    name: 'list', zh: ['列表'], en: ['list'], keys: [],
    usage: '/列表 [我的/逾期/进行中/全部]', example: '/列表 逾期',
    summary: '查看事项列表（默认进行中）',
    notes: ['英文：mine / overdue / open / all。'],
  },
  {
    name: 'link', zh: ['关联'], en: ['link'], keys: [],
    usage: '/关联 [关联码] [外部]', example: '/关联',
    summary: '关联另一个群（可跨飞书/钉钉）：共享需求和事项；外部群只看到对外的内容',
    more: ['/关联 K7Q2M9', '/关联 K7Q2M9 外部'],
    notes: [
      '在本群发送 /关联 得到 6 位关联码（30 分钟内有效，只能用一次）；在另一个群发送 /关联 <关联码> 完成关联，写「外部」表示对方是客户/供应商/合作方的群。',
      '关联后 #编号 在各群指同一事项；卡片和提醒发到需要操作的人所在的群。外部群看不到内部记录（/记录 内部）、内部问题、内部任务。',
    ],
  },
  {
    name: 'unlink', zh: ['取消关联'], en: ['unlink'], keys: [],
    usage: '/取消关联', example: '/取消关联',
    summary: '取消本群与其他群的关联（本群负责人或发起关联的人）',
  },
  {
    name: 'members', zh: ['成员'], en: ['members'], keys: [],
    usage: '/成员', example: '/成员',
    summary: '列出各关联群里的成员（按群）',
    notes: ['命令里可以直接写 @姓名 指定其他关联群的成员；重名时回复会列出候选人，请写 @姓名/群名 或 @姓名/钉钉。'],
  },
  {
    name: 'show', zh: ['查看'], en: ['show'], keys: [],
    usage: '/查看 #编号', example: '/查看 #12',
    summary: '查看事项详情',
  },
  {
    name: 'report', zh: ['周报'], en: ['report'], keys: [],
    usage: '/周报 [#需求编号 客户]', example: '/周报',
    summary: '立即生成本周进度周报',
    more: ['/周报 #12 客户'],
    notes: ['写上需求编号：生成该需求给客户/合作方的进度报告（已完成 / 进行中 / 下一步 / 需配合），由客户对接人转发。'],
  },
  {
    name: 'export', zh: ['归档', '导出'], en: ['export'], keys: [],
    usage: '/归档 [#编号] [xlsx/csv/md]', example: '/归档 #12 xlsx',
    summary: '按模板表格导出归档（默认 xlsx）',
  },
  {
    name: 'setup', zh: ['设置'], en: ['setup'], keys: ['project', 'dept', 'lead'],
    usage: '/设置 [project:<项目名称> dept:<部门>] [负责人:@负责人]', example: '/设置 project:官网改版 dept:技术部',
    summary: '将本群绑定到项目，指定本群负责人；不带选项时查看当前设置',
    more: ['/设置 负责人:@赵六', '/setup lead:@alice', '/设置'],
    notes: ['project: 和 dept: 需一起写；负责人: 可单独设置，是超时升级的最后一级（先提醒责任人，再升级到发起人和总对接人，最后到负责人），并在会议纪要中抄送。'],
  },
  {
    name: 'stage', zh: ['阶段'], en: ['stage'], keys: [],
    usage: '/阶段 #需求编号', example: '/阶段 #12',
    summary: '查看需求按协作类型走到哪一阶段（已完成 / 当前 / 待办）',
  },
  {
    name: 'done', zh: ['完成'], en: ['done'], keys: ['evidence'],
    usage: '/完成 #需求编号 [<阶段>] <阶段文档> [evidence:<链接>]',
    example: '/完成 #12 需求收集 客户需求清单：核心诉求 数据看板；预算 20 万 evidence:https://example.com/list',
    summary: '阶段负责人提交本阶段文档，签核卡片发给签核人',
    more: [
      '/完成 #12 需求评审 可执行 两周内可交付', '/done #12 "order v2" evidence:https://example.com/po',
      '/完成 #12 排期计划 节点：生产启动；计划时间：12月8日', '/完成 #12 延期说明 延期原因：芯片缺货；调整方案：改用替代料；计划时间：12月15日',
    ],
    notes: [
      '不写阶段即为当前阶段；需求评审以 可执行/需调整/不可执行 开头。只发送 /完成 #需求编号 会收到本阶段文档的表单。', '签核人通过后进入下一阶段；退回须写原因，阶段保持未完成。',
      '供应商订单确认：供应商对接人以《排期计划》确认（即签核）；履约跟踪按计划时间推进，延误须先提交《延期说明》及调整后的计划时间。',
    ],
  },
  {
    name: 'skip', zh: ['跳过'], en: ['skip'], keys: ['reason'],
    usage: '/跳过 #需求编号 <阶段> reason:<原因>', example: '/跳过 #12 合同签订 reason:沿用年度框架合同',
    summary: '发起人跳过一个阶段（必须写原因）',
  },
  {
    name: 'change', zh: ['变更'], en: ['change'], keys: ['reason'],
    usage: '/变更 #需求编号 <变更内容> reason:<原因>', example: '/变更 #12 看板增加导出功能 reason:客户新增需求',
    summary: '登记需求变更单，请客户对接人确认',
    notes: ['同一需求一次只有一张待确认的变更单；确认或不同意后才能登记下一张。'],
  },
  {
    name: 'survey', zh: ['满意度', '满意度调研'], en: ['survey'], keys: [],
    usage: '/满意度 #需求编号', example: '/满意度 #12',
    summary: '向客户对接人发送满意度调研卡片（1–5 分和意见）',
  },
];

const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));

export function spec(name: CommandName): CommandSpec {
  const s = BY_NAME.get(name);
  if (!s) throw new Error(`no command spec for ${name}`); // a programming error: the table is complete
  return s;
}

/** Looks a command up by any alias ("需求", "REQ", "/req"). */
export function findCommand(word: string): CommandSpec | undefined {
  const w = word.replace(/^[/／]/, '').trim().toLowerCase();
  return COMMANDS.find((c) => c.zh.includes(w) || c.en.includes(w));
}
