// Loads the config file named by BOT_CONFIG (default ./bot.config.json), overlays secrets
// from the environment, and validates. Nothing is parsed at import time.

import { existsSync, readFileSync } from 'node:fs';
import { ConfigSchema, type Config } from './schema.ts';

export class ConfigError extends Error {
  constructor(
    readonly file: string | undefined,
    readonly problems: string[],
  ) {
    super(
      `配置无效 / invalid configuration${file ? ` (${file})` : ''}:\n` + problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Environment variables that override config keys (secrets belong here, not in files). */
export const ENV_KEYS: ReadonlyArray<[env: string, path: string[], kind?: 'number' | 'boolean']> = [
  ['GROUPFLOW_HOST', ['server', 'host']],
  ['GROUPFLOW_PORT', ['server', 'port'], 'number'],
  ['GROUPFLOW_DB_FILE', ['database', 'file']],
  ['GROUPFLOW_DB_URL', ['database', 'url']],
  ['GROUPFLOW_INSTANCE_ID', ['database', 'instanceId']],
  ['FEISHU_ENABLED', ['platforms', 'feishu', 'enabled'], 'boolean'],
  ['FEISHU_MODE', ['platforms', 'feishu', 'mode']],
  ['FEISHU_DOMAIN', ['platforms', 'feishu', 'domain']],
  ['FEISHU_APP_ID', ['platforms', 'feishu', 'appId']],
  ['FEISHU_APP_SECRET', ['platforms', 'feishu', 'appSecret']],
  ['FEISHU_ENCRYPT_KEY', ['platforms', 'feishu', 'encryptKey']],
  ['FEISHU_VERIFICATION_TOKEN', ['platforms', 'feishu', 'verificationToken']],
  ['DINGTALK_ENABLED', ['platforms', 'dingtalk', 'enabled'], 'boolean'],
  ['DINGTALK_MODE', ['platforms', 'dingtalk', 'mode']],
  ['DINGTALK_CARD_TEMPLATE_ID', ['platforms', 'dingtalk', 'cardTemplateId']],
  ['DINGTALK_CLIENT_ID', ['platforms', 'dingtalk', 'clientId']],
  ['DINGTALK_CLIENT_SECRET', ['platforms', 'dingtalk', 'clientSecret']],
  ['DINGTALK_ROBOT_CODE', ['platforms', 'dingtalk', 'robotCode']],
];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = env.BOT_CONFIG ?? './bot.config.json';
  let raw: unknown = {};
  if (existsSync(file)) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(file, [`无法解析 JSON / cannot parse JSON: ${(err as Error).message}`]);
    }
  } else if (env.BOT_CONFIG) {
    throw new ConfigError(file, ['文件不存在 / file not found']);
  }
  return parseConfig(applyEnv(raw, env), existsSync(file) ? file : undefined);
}

export function parseConfig(raw: unknown, file?: string): Config {
  const r = ConfigSchema.safeParse(stripComments(raw));
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => {
    const path = i.path.length ? i.path.join('.') : '(root)';
    const keys = i.code === 'unrecognized_keys' ? ` ${i.keys.map((k) => (path === '(root)' ? k : `${path}.${k}`)).join(', ')}` : '';
    return `${path}: ${i.message}${keys}`;
  });
  throw new ConfigError(file, problems);
}

/** Keys starting with "//" are comments (JSON has none), as in bot.config.example.json. */
function stripComments(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripComments);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('//')).map(([k, x]) => [k, stripComments(x)]));
}

function applyEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out = structuredClone(raw) as Record<string, unknown>;
  for (const [name, path, kind] of ENV_KEYS) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    let node = out;
    for (const k of path.slice(0, -1)) {
      const next = node[k];
      node[k] = typeof next === 'object' && next !== null ? next : {};
      node = node[k] as Record<string, unknown>;
    }
    node[path.at(-1)!] = kind === 'number' ? Number(v) : kind === 'boolean' ? v === 'true' || v === '1' : v;
  }
  return out;
}
