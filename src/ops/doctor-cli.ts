// `npm run doctor`: prints each check; exits 1 when any check failed.

import { ConfigError, loadConfig } from '../config/load.ts';
import { formatChecks, runDoctor } from './doctor.ts';

try {
  const checks = await runDoctor(loadConfig());
  console.log(formatChecks(checks));
  const failed = checks.filter((c) => !c.ok).length;
  console.log(failed ? `\n${failed} 项有问题 / ${failed} problem(s) found` : '\n一切正常 / all good');
  process.exit(failed ? 1 : 0);
} catch (err) {
  console.log(`❌ 配置 / config: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
  process.exit(1);
}
