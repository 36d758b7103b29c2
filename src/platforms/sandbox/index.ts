// The sandbox platform: a local web chat that runs the same engine, database and outbox as the
// real platforms, with no credentials. See sandbox.routes.ts for its HTTP surface.

import type { Core, PlatformModule } from '../platform.ts';
import { Notifier } from '../../db/notify.ts';
import { LiveHub, type LiveEvent } from './sandbox.live.ts';
import { loadAssets } from './sandbox.page.ts';
import { SandboxPlatform } from './sandbox.platform.ts';
import { sandboxRoutes } from './sandbox.routes.ts';
import { SandboxService } from './sandbox.service.ts';
import { SandboxStore } from './sandbox.store.ts';

export function createSandbox(core: Core): PlatformModule {
  const store = new SandboxStore(core.db);
  const live = new LiveHub();
  // Several instances on one PostgreSQL database: a page open on one sees what another posted.
  const across = new Notifier<LiveEvent>(core.db, core.config.database.url, 'groupflow_sandbox', core.instanceId, (e) => live.deliver(e), core.log);
  if (across.enabled) live.forwardTo((e) => across.publish(e));
  const service = new SandboxService(core, store, live);
  service.init();
  return {
    platform: new SandboxPlatform(store, live, core.clock, across),
    routes: sandboxRoutes({ service, live, assets: loadAssets(), allowRemote: core.config.platforms.sandbox.allowRemote }),
  };
}
