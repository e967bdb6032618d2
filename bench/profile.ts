import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiProcess } from './support/api-process.js';
import { runLoad, type LoadSpec } from './support/load.js';
import { startLoopbackServices } from './support/loopback-services.js';
import { startPrivatePostgres } from './support/postgres.js';
import { ALL_SCOPES, seedThroughApi } from './support/seed.js';
import { createTokenIssuer } from './support/token-issuer.js';

/**
 * `npx tsx bench/profile.ts [scenario] [seconds]`: runs the API under --cpu-prof with one
 * load scenario at 64 connections and prints the functions with the most self time.
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
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
  };
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
  console.log(`profile: ${join(dir, file)}`);
} finally {
  await services.close();
  await postgres.destroy();
}
