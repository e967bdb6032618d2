import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiBundle, startApiProcess } from './support/api-process.js';
import { runLoad, type LoadSpec } from './support/load.js';
import { startLoopbackServices } from './support/loopback-services.js';
import { startPrivatePostgres } from './support/postgres.js';
import { ALL_SCOPES, seedThroughApi } from './support/seed.js';
import { createTokenIssuer } from './support/token-issuer.js';

/**
 * `npx tsx bench/profile.ts [scenario] [seconds]`: runs the API under --cpu-prof with one
 * load scenario at 64 connections and prints the functions with the most self time, then
 * the busy time per request by the package that owns the code (the bundle's esbuild
 * `// node_modules/<package>/…` markers map its lines to packages; Node's own frames count
 * for the nearest bundle frame that called them, so a socket write counts for its caller).
 */
const scenario = (process.argv[2] ?? 'read-payment') as LoadSpec['scenario'];
const seconds = Number(process.argv[3] ?? 8);
const dir = await mkdtemp(join(tmpdir(), 'citadel-profile-'));
const postgres = await startPrivatePostgres();
const issuer = await createTokenIssuer();
const services = await startLoopbackServices(issuer.jwks);
try {
  const api = await startApiProcess({
    databaseUrl: postgres.appUrl,
    services,
    logFile: join(dir, 'api.log'),
    env: { RATE_LIMIT_PER_MINUTE: '1000000' },
    nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  const token = await issuer.mint({ subject: 'profile-client', scopes: ALL_SCOPES });
  const seeded = await seedThroughApi(api.url, token);
  const result = await runLoad({
    url: api.url,
    scenario,
    connections: 64,
    durationSeconds: seconds,
    token,
    ...seeded,
  });
  console.log(`${scenario}: ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.latencyMs.p99} ms`);
  await api.stop();
  const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error('no profile written');
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
  const counts = new Map<number, number>();
  for (const sample of profile.samples) counts.set(sample, (counts.get(sample) ?? 0) + 1);
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const where = node.callFrame.url.split('/').slice(-2).join('/');
    const key = `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + (counts.get(node.id) ?? 0));
  }
  const total = profile.samples.length;
  for (const [name, count] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${((100 * count) / total).toFixed(1).padStart(5)} %  ${name}`);
  }
  console.log(`\nbusy time per request by package (the whole run, start-up included):`);
  const owners = packageOwners(await readFile(await apiBundle(), 'utf8'));
  for (const [owner, ms] of busyByPackage(profile, owners).slice(0, 25)) {
    console.log(`${((ms * 1000) / result.requests).toFixed(1).padStart(8)} µs  ${owner}`);
  }
  console.log(`profile: ${join(dir, file)}`);
} finally {
  await services.close();
  await postgres.destroy();
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** Line number → package, from the `// node_modules/<package>/…` and `// packages/<name>/src/…` markers. */
function packageOwners(bundle: string): (line: number) => string {
  const marks: [number, string][] = [];
  bundle.split('\n').forEach((text, line) => {
    const match = /^\/\/ (?:node_modules\/((?:@[^/]+\/)?[^/]+)|(packages\/[^/]+\/src\/[^/]+))/.exec(text);
    const owner = match?.[1] ?? match?.[2];
    if (owner) marks.push([line, owner]);
  });
  return (line) => {
    let low = 0;
    let high = marks.length - 1;
    let owner = '(bundle prelude)';
    while (low <= high) {
      const middle = (low + high) >> 1;
      const mark = marks[middle] as [number, string];
      if (mark[0] <= line) {
        owner = mark[1];
        low = middle + 1;
      } else high = middle - 1;
    }
    return owner;
  };
}

/** Busy ms per owning package, largest first; idle samples are left out. */
function busyByPackage(profile: CpuProfile, ownerOf: (line: number) => string): [string, number][] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const ownerCache = new Map<number, string>();
  const owner = (id: number): string => {
    const cached = ownerCache.get(id);
    if (cached) return cached;
    let found: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !found; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame?.url.endsWith('server.mjs')) found = ownerOf(frame.lineNumber);
    }
    const name = byId.get(id)?.callFrame.functionName;
    const result = name === '(idle)' ? '(idle)' : (found ?? `(node) ${name || 'anonymous'}`);
    ownerCache.set(id, result);
    return result;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((sample, index) => {
    const key = owner(sample);
    if (key === '(idle)') return;
    totals.set(
      key,
      (totals.get(key) ?? 0) + (profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0) / 1000,
    );
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}
