// `npm run backup [-- <file>]`: takes an online backup of the configured database without
// stopping the bot. Default destination: <db folder>/backups/groupflow-<UTC stamp>.db, or on
// PostgreSQL a pg_dump file ./data/backups/groupflow-<UTC stamp>.dump.

import { ConfigError, loadConfig } from '../config/load.ts';
import { openDatabase, SHORT_LIVED } from '../db/connection.ts';
import { closeDatabase } from '../db/maintenance.ts';
import { backupDatabase, defaultBackupFile, defaultDumpFile, dumpPostgres } from './backup.ts';

try {
  const config = loadConfig();
  if (config.database.url) {
    const r = dumpPostgres(config.database.url, process.argv[2] ?? defaultDumpFile('./data/backups', new Date()));
    console.log(`备份完成 / backup written: ${r.file} (${r.bytes} bytes, pg_dump custom format; restore into an empty database: pg_restore --no-owner --dbname=<url> ${r.file})`);
    process.exit(0);
  }
  const db = openDatabase(config.database.file, SHORT_LIVED);
  const dest = process.argv[2] ?? defaultBackupFile(config.database.file, new Date());
  const r = await backupDatabase(db, dest);
  closeDatabase(db);
  console.log(`备份完成 / backup written: ${r.file} (${r.pages} pages)`);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `备份失败 / backup failed: ${(err as Error).message}`);
  process.exit(1);
}
