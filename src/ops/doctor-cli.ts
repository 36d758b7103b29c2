// `npm run doctor [-- --chat <id> …]`: prints each check with its fix; exits 1 when any check
// failed (warnings do not count), 2 on a bad argument.

import { ConfigError, loadConfig } from '../config/load.ts';
import { exitCode, formatChecks, parseDoctorArgs, runDoctor } from './doctor.ts';

const args = parseDoctorArgs(process.argv.slice(2));
if (args.errors.length) {
  console.log(`${args.errors.join('\n')}\n用法 / usage: npm run doctor -- [--chat <飞书 chat_id | 钉钉 openConversationId>]…`);
  process.exit(2);
}
try {
  const checks = await runDoctor(loadConfig(), { chats: args.chats });
  console.log(formatChecks(checks));
  const failed = checks.filter((c) => !c.ok).length;
  console.log(failed ? `\n${failed} 项有问题 / ${failed} problem(s) found` : '\n一切正常 / all good');
  process.exit(exitCode(checks));
} catch (err) {
  console.log(`✗ 配置 / config: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
  process.exit(1);
}
