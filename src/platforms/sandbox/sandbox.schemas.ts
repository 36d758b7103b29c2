// Request bodies of the sandbox API, validated with zod. Every message is Chinese first with
// English after a slash, and names the field, so a 400 tells the caller exactly what to fix.

import { z } from 'zod';

/** A label in both languages: zh "消息内容", en "text". */
type Label = [zh: string, en: string];

function str([zh, en]: Label, max: number) {
  return z
    .string({ error: (i) => (i.input === undefined ? `缺少${zh} / ${en} is required` : `${zh}应为文本 / ${en} must be a string`) })
    .trim()
    .min(1, { error: `${zh}不能为空 / ${en} must not be empty` })
    .max(max, { error: `${zh}最长 ${max} 个字符 / ${en} is at most ${max} characters` });
}

function rowId([zh, en]: Label) {
  const error = `${zh}应为正整数 / ${en} must be a positive integer`;
  return z.union([z.number().int({ error }).positive({ error }), z.string().regex(/^[1-9]\d*$/).transform(Number)], {
    error: (i) => (i.input === undefined ? `缺少${zh} / ${en} is required` : error),
  });
}

/** Display names: no characters that would break `@名字` mentions or the page. */
function displayName(label: Label) {
  return str(label, 40).refine((s) => !/[@<>\n\r\t#]/.test(s), {
    error: `${label[0]}不能包含 @ < > # 或换行 / ${label[1]} must not contain @ < > # or line breaks`,
  });
}

export const NewUserSchema = z.object({ name: displayName(['姓名', 'name']) }, { error: bodyError });
export const NewChatSchema = z.object(
  {
    name: displayName(['群名', 'name']),
    /** Draw the group as a Feishu or a DingTalk one (for showing linked groups side by side). */
    look: z.enum(['feishu', 'dingtalk'], { error: '样式只能是 feishu 或 dingtalk / look must be feishu or dingtalk' }).optional(),
  },
  { error: bodyError },
);

export const PostMessageSchema = z.object(
  {
    chatId: str(['群', 'chatId'], 100),
    userId: str(['身份', 'userId'], 100),
    text: str(['消息内容', 'text'], 4000),
    replyTo: rowId(['回复的消息', 'replyTo']).optional(),
  },
  { error: bodyError },
);

export const CardActionSchema = z.object(
  {
    chatId: str(['群', 'chatId'], 100),
    userId: str(['身份', 'userId'], 100),
    messageId: rowId(['卡片消息', 'messageId']),
    itemId: z
      // 0: a form that raises a new item.
      .number({ error: (i) => (i.input === undefined ? '缺少事项 / itemId is required' : '事项应为整数 / itemId must be an integer') })
      .int({ error: '事项应为整数 / itemId must be an integer' })
      .nonnegative({ error: '事项应为非负整数 / itemId must not be negative' }),
    action: str(['操作', 'action'], 40),
    version: z.number({ error: '版本应为整数 / version must be an integer' }).int({ error: '版本应为整数 / version must be an integer' }).nonnegative().optional(),
    for: z.string({ error: '按钮对象应为文本 / for must be a string' }).max(100).optional(),
    form: z
      .record(z.string(), z.string().max(2000, { error: '表单内容最长 2000 个字符 / form values are at most 2000 characters' }), {
        error: '表单 form 应为 {名称: 文本} / form must be an object of strings',
      })
      .default({}),
  },
  { error: bodyError },
);

export const MessagesQuerySchema = z.object({
  chatId: str(['群', 'chatId'], 100),
  since: z
    .string()
    .regex(/^\d+$/, { error: 'since 应为非负整数 / since must be a non-negative integer' })
    .transform(Number)
    .optional(),
});

export type PostMessage = z.infer<typeof PostMessageSchema>;
export type CardActionBody = z.infer<typeof CardActionSchema>;

function bodyError(i: { input?: unknown }): string {
  return i.input === undefined ? '缺少 JSON 请求体 / missing JSON body' : '请求体应为 JSON 对象 / body must be a JSON object';
}

/** One line listing every problem: "text: 消息内容不能为空 / text must not be empty；…". */
export function describeIssues(err: z.ZodError): string {
  // Most messages already name their field; the path is added only where they do not (form.x).
  return err.issues
    .map((i) => (i.path.length && !i.message.includes(String(i.path[0])) ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('；');
}
