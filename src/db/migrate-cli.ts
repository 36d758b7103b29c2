// `npm run migrate`: applies the SQL migrations to the configured database and exits.

import { loadConfig, ConfigError } from '../config/load.ts';
import { describeTarget, openConfigured, SHORT_LIVED, runMigrations } from './connection.ts';

try {
  const config = loadConfig();
  const db = openConfigured(config.database, SHORT_LIVED);
  runMigrations(db);
  db.$client.close();
  console.log(`migrations applied to ${describeTarget(config.database)}`);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
