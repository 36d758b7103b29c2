// Vendor wire types for the parts of DingTalk Groupflow uses. The SDK's own `RobotMessage` is
// text-only and lacks atUsers/isInAtList/conversationTitle, so the robot payload is declared here.
// Field names cross-checked against @alicloud/dingtalk typings (robot_1_0, card_1_0, oauth2_1_0).

/** A robot message (HTTP body, or the Stream `data` string of topic /v1.0/im/bot/messages/get).
 *  https://open.dingtalk.com/document/orgapp/receive-message */
export interface RobotMessage {
  msgId: string;
  msgtype: 'text' | 'richText' | 'picture' | 'audio' | 'video' | 'file' | 'unknownMsgType' | string;
  text?: { content?: string };
  content?: {
    richText?: Array<{ text?: string; type?: string; downloadCode?: string; pictureDownloadCode?: string }>;
    recognition?: string;
    [k: string]: unknown;
  };
  conversationId: string;
  /** "1" = 1:1, "2" = group. */
  conversationType?: string;
  conversationTitle?: string;
  senderId?: string;
  senderStaffId?: string;
  senderNick?: string;
  senderCorpId?: string;
  senderUnionId?: string;
  chatbotUserId?: string;
  chatbotCorpId?: string;
  robotCode?: string;
  isAdmin?: boolean;
  isInAtList?: boolean;
  atUsers?: Array<{ dingtalkId?: string; staffId?: string; unionId?: string }>;
  sessionWebhook?: string;
  sessionWebhookExpiredTime?: number;
  createAt?: number;
  errorMessage?: unknown;
}

/** A card callback (HTTP body, or the Stream `data` of topic /v1.0/card/instances/callback).
 *  https://open.dingtalk.com/document/development/event-callback-card */
export interface CardCallback {
  type?: string;
  outTrackId: string;
  corpId?: string;
  /** Of the type set by the instance's userIdType (1 = org userId, our default). */
  userId: string;
  /** JSON string: {"cardPrivateData":{"actionIds":[…],"params":{…}}} */
  content: string;
  extension?: string;
  spaceType?: string;
  spaceId?: string;
  userIdType?: number;
}

export interface CardCallbackContent {
  cardPrivateData?: { actionIds?: string[]; params?: Record<string, unknown> };
}

/** What a card callback is answered with (HTTP response body; over Stream wrapped as {response}). */
export interface CardCallbackResponse {
  cardData?: { cardParamMap: Record<string, string> };
  userPrivateData?: { cardParamMap: Record<string, string> };
  cardUpdateOptions?: { updateCardDataByKey?: boolean; updatePrivateDataByKey?: boolean };
}

/** OpenAPI (api.dingtalk.com) error body. */
export interface ApiErrorBody {
  code?: string;
  message?: string;
  requestid?: string;
  /** IP-level punishment page: {"status":1111,"punish":"deny"}. */
  status?: number;
  punish?: string;
}

/** Session webhook / legacy oapi reply. */
export interface OapiReply {
  errcode?: number;
  errmsg?: string;
}
