// (b) Groupflow's Feishu event endpoint, POST /feishu/events.
// Usage: BENCH_DB_FILE=… BENCH_FAKE_URL=… node --import tsx bench/servers/feishu.ts <port>
import { serve } from './groupflow.ts';

await serve('feishu');
