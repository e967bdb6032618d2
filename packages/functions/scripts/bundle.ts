import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

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
 * Bundles each handler into one minified ES module for the Lambda Node.js 22 runtime.
 * The AWS SDK clients are bundled, not taken from the runtime, so the deployed version
 * is the one tested here. `pg-native` stays external: `pg` loads it only on request.
 * CommonJS dependencies (pg) call `require`, which an ES module lacks, hence the banner.
 */
export async function bundleFunctions(outDir: string, names = functionNames()): Promise<BundledFunction[]> {
  const bundled: BundledFunction[] = [];
  for (const name of names) {
    const file = join(outDir, name, 'index.mjs');
    await build({
      entryPoints: [join(packageRoot, 'src', name, 'handler.ts')],
      outfile: file,
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
    });
    bundled.push({ name, file, bytes: statSync(file).size });
  }
  return bundled;
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
  };
}

export interface ImportTiming {
  /** Median wall-clock time of `await import(bundle)`. */
  readonly wallMs: number;
  /** Median CPU time (user + system) the import used: what it costs on an idle machine. */
  readonly cpuMs: number;
}

/**
 * Imports the bundle in `runs` fresh `node` processes and takes the medians. Wall time is
 * what a cold start waits for, but on a busy machine it mostly measures the wait for a
 * core; CPU time is the work itself and stays comparable between machines and runs.
 */
export function measureImport(file: string, env: NodeJS.ProcessEnv, runs = 5): ImportTiming {
  const script = `const c=process.cpuUsage();const t=performance.now();
const m=await import(${JSON.stringify(pathToFileURL(file).href)});
const wall=performance.now()-t;const u=process.cpuUsage(c);
if(typeof m.handler!=='function')throw new Error('no handler export');
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
  return { wallMs: median(wall), cpuMs: median(cpu) };
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

async function main(): Promise<void> {
  const outDir = join(packageRoot, 'dist');
  rmSync(outDir, { recursive: true, force: true });
  const bundled = await bundleFunctions(outDir);
  const ca = placeholderCaBundle();
  let failed = false;
  try {
    console.log('| function | bundle (minified) | import wall, median of 5 | import CPU, median of 5 |');
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
