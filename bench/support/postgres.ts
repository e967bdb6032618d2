import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareLocalDatabase, startEmbeddedPostgres, type RunningPostgres } from '@citadel/db/local';
import getPort from 'get-port';

export interface PrivatePostgres {
  readonly cluster: RunningPostgres;
  /** Superuser URL of the `citadel` database: for seeding and assertions. */
  readonly adminUrl: string;
  /** URL logging in as the application role `citadel_app`, as the API does in AWS. */
  readonly appUrl: string;
  /** Stops the cluster and deletes its data directory. */
  destroy(): Promise<void>;
}

/**
 * A throwaway PostgreSQL cluster of this process, migrated, with the application role
 * able to log in. Benchmarks and fault tests stop and start it, so it is never the
 * cluster shared by the unit tests.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = await mkdtemp(join(tmpdir(), 'citadel-bench-pg-'));
  await chmod(root, 0o755);
  const cluster = await startEmbeddedPostgres({ dataDir: join(root, 'data'), port: await getPort() });
  const { adminUrl, appUrl } = await prepareLocalDatabase(cluster.url, 'citadel');
  return {
    cluster,
    adminUrl,
    appUrl,
    destroy: async () => {
      await cluster.stop().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
