// The configuration schema. Key paths here are public interface: admins' files and deployment
// scripts rely on them (server.host, server.port, database.file, calendar.timezone,
// clocks.ordinary, clocks.urgent, platforms.*). Keep them, and keep them working.

import { isIP } from 'node:net';
import { z } from 'zod';
import { parseDuration } from '../domain/when.ts';
import { isClockDuration } from '../domain/working-time.ts';
import { isTimeZone } from '../domain/wall-clock.ts';
import { ProcessesSchema } from './processes.ts';

const Duration = z
  .string()
  .refine((s) => !s.trim().startsWith('+') && parseDuration(s) !== undefined, '时长格式应为如 "30m"、"2h"、"1d" / duration like "30m", "2h", "1d"');
/** A clock: wall time ("2h", "30m", "1d") or working time ("1wd", "4wh", "0.5wd"). */
const ClockDuration = z
  .string()
  .refine(
    isClockDuration,
    '时长格式应为如 "2h"、"30m"（自然时间）或 "1wd"、"4wh"、"0.5wd"（工作时间） / duration like "2h", "30m" (wall time) or "1wd", "4wh", "0.5wd" (working time)',
  );
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:mm / time must be HH:mm');
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD');
const Url = z.url();

/** An address or CIDR range a reverse proxy sends from, or one of proxy-addr's named ranges. */
function isProxyAddress(s: string): boolean {
  if (s === 'loopback' || s === 'linklocal' || s === 'uniquelocal') return true;
  const [addr, bits, ...rest] = s.split('/');
  const family = isIP(addr ?? '');
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

const TrustProxy = z.union(
  [z.boolean(), z.array(z.string().refine(isProxyAddress)).min(1)],
  {
    error:
      'false、true 或代理地址/CIDR 列表，如 ["10.0.0.0/8"] / false, true or a list of proxy addresses/CIDRs like ["10.0.0.0/8"]',
  },
);

const TimeoutsSchema = z
  .object({
    /** Until the request line and headers have arrived (slow-header clients are cut off). */
    headersMs: z.number().int().min(100).max(300_000).default(10_000),
    /** Until the whole request, body included, has arrived (408, then closed). */
    requestMs: z.number().int().min(100).max(300_000).default(10_000),
    /** How long an idle keep-alive connection stays open after a response. */
    keepAliveMs: z.number().int().min(100).max(300_000).default(10_000),
  })
  .strict()
  .refine((t) => t.headersMs <= t.requestMs, {
    path: ['headersMs'],
    message: 'headersMs 不能大于 requestMs / headersMs must not exceed requestMs',
  });

export const SandboxSchema = z
  .object({
    /** Default: on when no real platform is enabled. */
    enabled: z.boolean().optional(),
    /** The sandbox lets anyone act as anyone: it is served on loopback only unless this is true. */
    allowRemote: z.boolean().default(false),
  })
  .strict();

export const FeishuSchema = z
  .object({
    enabled: z.boolean().default(false),
    mode: z.enum(['webhook', 'longconn']).default('webhook'),
    appId: z.string().default(''),
    appSecret: z.string().default(''),
    encryptKey: z.string().default(''),
    verificationToken: z.string().default(''),
    domain: Url.default('https://open.feishu.cn'),
  })
  .strict();

export const DingtalkSchema = z
  .object({
    enabled: z.boolean().default(false),
    mode: z.enum(['http', 'stream']).default('http'),
    clientId: z.string().default(''),
    clientSecret: z.string().default(''),
    robotCode: z.string().default(''),
    cardTemplateId: z.string().default(''),
    apiBase: Url.default('https://api.dingtalk.com'),
    oapiBase: Url.default('https://oapi.dingtalk.com'),
  })
  .strict();

const SchedulerSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** node-cron expression of the tick. */
    cron: z.string().min(1).default('* * * * *'),
    headsUp: z
      .object({ ordinary: ClockDuration.default('4h'), urgent: ClockDuration.default('30m') })
      .strict()
      .default({ ordinary: '4h', urgent: '30m' }),
    urgentRepeat: Duration.default('2h'),
    /** Missed pings before escalation also @mentions the initiator and the side's 总对接人. */
    escalateAfter: z.number().int().min(1).default(2),
    /** Missed pings after that first step before the leader (负责人) is @mentioned too. */
    leaderAfter: z.number().int().min(1).default(2),
    maxPings: z.number().int().min(1).default(6),
    deadlineDaysBefore: z.number().int().min(0).default(2),
    maxOverdueDays: z.number().int().min(1).default(10),
    /** Daily nudge to owners of tasks in progress with no update that working day. */
    nudgeAt: HHMM.default('17:00'),
    /** Weekly digest per group: ISO weekday (1 = Monday) and time. */
    digest: z
      .object({ enabled: z.boolean().default(true), weekday: z.number().int().min(1).max(7).default(1), at: HHMM.default('09:30') })
      .strict()
      .default({ enabled: true, weekday: 1, at: '09:30' }),
    /** Monthly summary per group, on the last working day of each month at this time. */
    monthly: z
      .object({ enabled: z.boolean().default(true), at: HHMM.default('17:00') })
      .strict()
      .default({ enabled: true, at: '17:00' }),
  })
  .strict();

const RateSchema = z.object({ appPerSecond: z.number().positive(), chatPerMinute: z.number().positive() }).strict();

const OutboxSchema = z
  .object({
    maxAttempts: z.number().int().min(1).default(8),
    /** First retry delay in ms; doubles per attempt with jitter, up to maxDelayMs. */
    baseDelayMs: z.number().int().min(0).default(1000),
    maxDelayMs: z.number().int().min(0).default(300_000),
    /** Send rates per platform: Feishu 50/s per app and 5/s per group; DingTalk 20 QPS per app, ~20/min per group. */
    rateLimits: z
      .object({
        feishu: RateSchema.default({ appPerSecond: 50, chatPerMinute: 300 }),
        dingtalk: RateSchema.default({ appPerSecond: 20, chatPerMinute: 20 }),
      })
      .strict()
      .default({
        feishu: { appPerSecond: 50, chatPerMinute: 300 },
        dingtalk: { appPerSecond: 20, chatPerMinute: 20 },
      }),
  })
  .strict();

/** What one command may fan out to: each person named is a card, a reminder and a mention. */
const LimitsSchema = z
  .object({
    /** People in one role of an item: contacts of a request, people asked, helpers of a task, attendees. */
    peoplePerItem: z.number().int().min(1).max(1000).default(20),
    /** Different people @-mentioned in one command message. */
    mentionsPerMessage: z.number().int().min(1).max(1000).default(30),
  })
  .strict();

export const ConfigSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(3000),
        /** Public base URL used in links the bot posts (export downloads). */
        publicUrl: Url.optional(),
        bodyLimit: z.number().int().positive().default(1_048_576),
        /** An address whose webhook requests fail this often in the window gets 429 until it calms down. */
        webhookFailures: z
          .object({ limit: z.number().int().positive().default(30), windowSeconds: z.number().int().positive().default(60) })
          .strict()
          .default({ limit: 30, windowSeconds: 60 }),
        /**
         * Which peers may set the client address through X-Forwarded-For (Fastify's trustProxy):
         * false = none (the socket address counts), a list = these proxies, true = any peer (only
         * when nothing but the proxy can reach the port). No hop count: Fastify cannot check the
         * peer with one, so it trusts nobody.
         */
        trustProxy: TrustProxy.default(false),
        timeouts: TimeoutsSchema.default({ headersMs: 10_000, requestMs: 10_000, keepAliveMs: 10_000 }),
      })
      .strict()
      .default({
        host: '127.0.0.1',
        port: 3000,
        bodyLimit: 1_048_576,
        webhookFailures: { limit: 30, windowSeconds: 60 },
        trustProxy: false,
        timeouts: { headersMs: 10_000, requestMs: 10_000, keepAliveMs: 10_000 },
      }),
    database: z
      .object({
        file: z.string().min(1).default('./data/groupflow.db'),
        /** PostgreSQL instead of the SQLite file: several instances may share it. */
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, { error: 'database.url 应为 postgres://… / database.url must be a postgres:// URL' })
          .optional(),
        /** This instance's name among several (logs, leases); default: host name and process id. */
        instanceId: z.string().min(1).max(100).optional(),
      })
      .strict()
      .default({ file: './data/groupflow.db' }),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        pretty: z.boolean().optional(),
      })
      .strict()
      .default({ level: 'info' }),
    calendar: z
      .object({
        timezone: z
          .string()
          .refine(isTimeZone, '未知时区 / unknown IANA time zone')
          .default('Asia/Shanghai'),
        workStart: HHMM.default('09:00'),
        workEnd: HHMM.default('18:00'),
        quietStart: HHMM.default('22:00'),
        defaultDueTime: HHMM.default('18:00'),
        extraHolidays: z.array(Day).default([]),
        extraWorkdays: z.array(Day).default([]),
        /** "HH:mm-HH:mm" inside the working day: no working-time clock runs then. */
        lunch: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, '午休格式应为 HH:mm-HH:mm，如 "12:00-13:30" / lunch must be HH:mm-HH:mm like "12:00-13:30"')
          .optional(),
      })
      .strict()
      .default({
        timezone: 'Asia/Shanghai',
        workStart: '09:00',
        workEnd: '18:00',
        quietStart: '22:00',
        defaultDueTime: '18:00',
        extraHolidays: [],
        extraWorkdays: [],
      }),
    clocks: z
      .preprocess(
        olderSpelling,
        z
          .object({
            ordinary: ClockDuration.default('1wd'),
            urgent: ClockDuration.default('2h'),
            /** Contacts confirm a request within this. */
            confirm: ClockDuration.default('1wd'),
            /** Reviewers accept a delivery, initiators verify a fix, within this. */
            accept: ClockDuration.default('1wd'),
            /** A retrospective is held within this after a request is done. */
            retro: ClockDuration.default('5wd'),
            /** The older spelling of confirm and accept as N working days. */
            confirmWorkingDays: z.number().int().min(0).max(30).optional(),
          })
          .strict(),
      )
      .default({ ordinary: '1wd', urgent: '2h', confirm: '1wd', accept: '1wd', retro: '5wd' }),
    scheduler: SchedulerSchema.default(SchedulerSchema.parse({})),
    /** Collaboration types added or replaced by the admin (see docs/processes.md). */
    processes: ProcessesSchema,
    outbox: OutboxSchema.default(OutboxSchema.parse({})),
    limits: LimitsSchema.default(LimitsSchema.parse({})),
    platforms: z
      .object({
        sandbox: SandboxSchema.default({ allowRemote: false }),
        feishu: FeishuSchema.default(FeishuSchema.parse({})),
        dingtalk: DingtalkSchema.default(DingtalkSchema.parse({})),
      })
      .strict()
      .default({
        sandbox: { allowRemote: false },
        feishu: FeishuSchema.parse({}),
        dingtalk: DingtalkSchema.parse({}),
      }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const f = c.platforms.feishu;
    if (f.enabled) {
      for (const k of ['appId', 'appSecret'] as const) {
        if (!f[k]) ctx.addIssue({ code: 'custom', path: ['platforms', 'feishu', k], message: '启用飞书时必填 / required when feishu is enabled' });
      }
      if (f.mode === 'longconn' && f.appId && !/^cli_[0-9a-fA-F]{16}$/.test(f.appId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['platforms', 'feishu', 'appId'],
          message: '长连接模式的 App ID 形如 cli_ 加 16 位十六进制 / longconn needs an App ID like cli_0123456789abcdef',
        });
      }
      if (f.mode === 'webhook' && !f.encryptKey && !f.verificationToken) {
        ctx.addIssue({
          code: 'custom',
          path: ['platforms', 'feishu', 'encryptKey'],
          message: 'webhook 模式需要 encryptKey 或 verificationToken / webhook mode needs encryptKey or verificationToken',
        });
      }
    }
    const d = c.platforms.dingtalk;
    if (d.enabled) {
      for (const k of ['clientId', 'clientSecret', 'robotCode'] as const) {
        if (!d[k]) ctx.addIssue({ code: 'custom', path: ['platforms', 'dingtalk', k], message: '启用钉钉时必填 / required when dingtalk is enabled' });
      }
    }
  });

/** `confirmWorkingDays: N` (the older key) means confirm and accept of N working days unless they are set. */
function olderSpelling(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const c = v as Record<string, unknown>;
  const n = c.confirmWorkingDays;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return v;
  return { ...c, confirm: c.confirm ?? `${n}wd`, accept: c.accept ?? `${n}wd` };
}

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Whether the sandbox runs: explicit flag, else on exactly when no real platform is enabled. */
export function sandboxEnabled(c: Config): boolean {
  const s = c.platforms.sandbox.enabled;
  if (s !== undefined) return s;
  return !c.platforms.feishu.enabled && !c.platforms.dingtalk.enabled;
}
