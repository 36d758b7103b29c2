// (c) Groupflow's DingTalk robot callback, POST /dingtalk/events.
// Usage: BENCH_DB_FILE=… BENCH_FAKE_URL=… node --import tsx bench/servers/dingtalk.ts <port>
import { serve } from './groupflow.ts';

await serve('dingtalk');
