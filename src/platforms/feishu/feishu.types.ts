// Feishu wire types: the event envelope, the events Groupflow subscribes to, card callbacks and
// card JSON 2.0. Inbound shapes are zod schemas because every byte of them is untrusted; they are
// loose (unknown keys pass) since Feishu adds fields without notice.
// Envelope: https://open.feishu.cn/document/ukTMukTMukTM/uUTNz4SN1MjL1UzM

import { z } from 'zod';

export const EventHeaderSchema = z.looseObject({
  event_id: z.string().min(1),
  event_type: z.string().min(1),
  /** ms (sometimes µs) as a string. */
  create_time: z.string().optional(),
  /** The Verification Token. */
  token: z.string().optional(),
  app_id: z.string().optional(),
  tenant_key: z.string().optional(),
});
export type EventHeader = z.infer<typeof EventHeaderSchema>;

/** A v2 event envelope, after decryption. */
export const EnvelopeSchema = z.looseObject({
  schema: z.literal('2.0'),
  header: EventHeaderSchema,
  event: z.unknown(),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** The URL-verification request (plain, or the decrypted `encrypt`). */
export const ChallengeSchema = z.looseObject({
  type: z.literal('url_verification'),
  challenge: z.string(),
  token: z.string().optional(),
});

export const UserIdSchema = z.looseObject({
  open_id: z.string().optional(),
  union_id: z.string().optional(),
  user_id: z.string().optional(),
});
export type UserId = z.infer<typeof UserIdSchema>;

export const MentionSchema = z.looseObject({
  key: z.string(),
  id: UserIdSchema.default({}),
  name: z.string().default(''),
  mentioned_type: z.string().optional(),
});
export type Mention = z.infer<typeof MentionSchema>;

// https://open.feishu.cn/document/server-docs/im-v1/message/events/receive
export const MessageReceiveSchema = z.looseObject({
  sender: z.looseObject({
    sender_id: UserIdSchema.optional(),
    sender_type: z.string().optional(),
  }),
  message: z.looseObject({
    message_id: z.string().min(1),
    root_id: z.string().optional(),
    parent_id: z.string().optional(),
    create_time: z.string().optional(),
    chat_id: z.string().min(1),
    thread_id: z.string().optional(),
    chat_type: z.string().optional(),
    message_type: z.string(),
    /** A JSON string. */
    content: z.string().default('{}'),
    mentions: z.array(MentionSchema).optional(),
  }),
});
export type MessageReceive = z.infer<typeof MessageReceiveSchema>;

// https://open.larksuite.com/document/uAjLw4CM/ukTMukTMukTM/reference/im-v1/chat-member-bot/events/added
export const BotMembershipSchema = z.looseObject({
  chat_id: z.string().min(1),
  operator_id: UserIdSchema.optional(),
  external: z.boolean().optional(),
  /** Documented as the group name, but an SDK comment says it is the bot's: not relied on. */
  name: z.string().optional(),
});
export type BotMembership = z.infer<typeof BotMembershipSchema>;

// https://open.larksuite.com/document/uAjLw4CM/ukTMukTMukTM/application-v6/bot/events/menu
export const BotMenuSchema = z.looseObject({
  operator: z.looseObject({
    /** Only with the operator-name permission. */
    operator_name: z.string().max(100).optional(),
    operator_id: UserIdSchema,
  }),
  event_key: z.string().min(1).max(30),
  timestamp: z.union([z.string(), z.number()]).optional(),
});
export type BotMenu = z.infer<typeof BotMenuSchema>;

// https://open.feishu.cn/document/feishu-cards/card-callback-communication
export const CardActionEventSchema = z.looseObject({
  operator: UserIdSchema,
  /** The card-update token `c-…` (not the Verification Token). */
  token: z.string().optional(),
  action: z.looseObject({
    value: z.unknown().optional(),
    tag: z.string().optional(),
    name: z.string().optional(),
    form_value: z.record(z.string(), z.unknown()).optional(),
  }),
  context: z
    .looseObject({
      open_message_id: z.string().optional(),
      open_chat_id: z.string().optional(),
    })
    .optional(),
});
export type CardActionEvent = z.infer<typeof CardActionEventSchema>;

/** The card callback's event type (subscribed under 回调配置, not with the events). */
export const CARD_CALLBACK = 'card.action.trigger';

/** What a card button sends back in `behaviors[].value`. */
export interface ButtonValue {
  itemId: number;
  action: string;
  version: number;
  /** Platform-qualified id of the only user who may click. */
  for?: string;
  /** Rendered input name → neutral input name, only where they differ. */
  f?: Record<string, string>;
}

export type ToastType = 'info' | 'success' | 'error' | 'warning';

/** The synchronous answer to `card.action.trigger`. */
export interface CardCallbackResponse {
  toast?: { type: ToastType; content: string; i18n?: Record<string, string> };
  card?: { type: 'raw'; data: FeishuCard };
}

// ── card JSON 2.0 (only what Groupflow renders) ─────────────────────────────────────────────
// https://open.feishu.cn/document/feishu-cards/card-json-v2-structure

export interface PlainText {
  tag: 'plain_text';
  content: string;
}

export type CardElement =
  | { tag: 'markdown'; content: string }
  | { tag: 'hr' }
  | { tag: 'column_set'; columns: Array<{ tag: 'column'; width: 'auto'; elements: CardElement[] }> }
  | {
      tag: 'button';
      name: string;
      type: string;
      text: PlainText;
      form_action_type?: 'submit';
      behaviors: Array<{ type: 'callback'; value: ButtonValue }>;
    }
  | { tag: 'input'; name: string; required: boolean; label: PlainText; placeholder?: PlainText; input_type?: 'multiline_text'; rows?: number }
  // People pickers without options offer the members of the chat the card is in.
  | { tag: 'select_person' | 'multi_select_person'; name: string; required: boolean; placeholder: PlainText }
  | { tag: 'picker_datetime'; name: string; required: boolean; placeholder: PlainText }
  | { tag: 'select_static'; name: string; required: boolean; placeholder: PlainText; options: Array<{ text: PlainText; value: string }> }
  | { tag: 'form'; name: string; elements: CardElement[] }
  | { tag: 'chart'; aspect_ratio: '16:9' | '2:1' | '4:3' | '1:1'; chart_spec: ChartSpec };

/**
 * A VChart spec as the card's chart element takes it (no functions allowed).
 * https://open.feishu.cn/document/feishu-cards/card-json-v2-components/content-components/chart
 */
export interface ChartSpec {
  type: 'bar' | 'line';
  title: { text: string };
  data: { values: Array<{ x: string; series: string; y: number }> };
  xField: string;
  yField: string;
  seriesField: string;
  legends: { visible: boolean };
}

export interface FeishuCard {
  schema: '2.0';
  config: { update_multi: true; width_mode: 'fill'; summary: { content: string } };
  header: {
    title: PlainText;
    text_tag_list?: Array<{ tag: 'text_tag'; text: PlainText; color: string }>;
    template: string;
  };
  body: { elements: CardElement[] };
}
