import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
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
  /** The postmaster's process id (its backends are its children), from postmaster.pid. */
  postmasterPid(): Promise<number>;
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
  const dataDir = join(root, 'data');
  const cluster = await startEmbeddedPostgres({ dataDir, port: await getPort() });
  const { adminUrl, appUrl } = await prepareLocalDatabase(cluster.url, 'citadel');
  return {
    cluster,
    adminUrl,
    appUrl,
    postmasterPid: async () => {
      const pid = Number.parseInt(
        (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '',
        10,
      );
      if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no postmaster pid in ${dataDir}`);
      return pid;
    },
    destroy: async () => {
      await cluster.stop().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
