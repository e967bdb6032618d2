/**
 * Synthesizes every environment of the project (CITADEL_APPLICATION and CITADEL_ENVIRONMENTS,
 * Citadel's own when unset), checked by every rule pack, into packages/infra/cdk.out.
 * Prints the time taken, the stacks written and the acknowledged findings per rule.
 * Exits non-zero (after the packs' report) when any finding is not acknowledged.
 *
 *   npm run synth                  # summary
 *   npm run synth -- --markdown    # plus the acknowledgment table for docs/compliance.md
 *   npm run synth -- --outdir <dir>  # write the cloud assembly elsewhere than packages/infra/cdk.out
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { collectAcknowledgments, countByRule } from '../lib/acknowledge.js';
import { buildCitadelApp } from '../lib/citadel-app.js';
import { loadProject, ProjectError } from '../lib/project.js';
import { ConfigError } from '../config/index.js';
import { invocationDirectory } from './lib/main.js';

const { values: options } = parseArgs({
  options: { markdown: { type: 'boolean', default: false }, outdir: { type: 'string' } },
});
const outdir = options.outdir
  ? resolve(invocationDirectory(), options.outdir)
  : fileURLToPath(new URL('../cdk.out', import.meta.url));

let project;
try {
  project = await loadProject(process.env, { cwd: invocationDirectory() });
} catch (error) {
  if (!(error instanceof ProjectError || error instanceof ConfigError)) throw error;
  console.error(`synth: ${error.message}`);
  process.exit(2);
}
// Only a previous cloud assembly is cleared: a directory of anything else is refused, not emptied.
if (existsSync(outdir) && readdirSync(outdir).length > 0 && !existsSync(resolve(outdir, 'manifest.json'))) {
  console.error(
    `synth: ${outdir} holds files but no cloud assembly (manifest.json); name an empty or new directory.`,
  );
  process.exit(2);
}
rmSync(outdir, { recursive: true, force: true });

const started = performance.now();
const { app, stages } = buildCitadelApp({
  outdir,
  configs: project.configs,
  application: project.application,
});
const assembly = app.synth();
const seconds = (performance.now() - started) / 1000;

const stacks = stages.flatMap((stage) => stage.synth().stacks);
const acknowledgments = collectAcknowledgments(app);
console.log(
  `Synthesized ${stages.length} environments (${stages.map((s) => s.stageName).join(', ')}), ${stacks.length} stacks, into ${assembly.directory}`,
);
console.log(`Rule-pack findings: 0 unacknowledged, ${acknowledgments.length} acknowledged`);
for (const [ruleId, count] of countByRule(acknowledgments))
  console.log(`  ${String(count).padStart(4)}  ${ruleId}`);
console.log(`Synth time: ${seconds.toFixed(1)} s`);

if (options.markdown) {
  console.log('\n| rule id | acknowledgments |\n| --- | ---: |');
  for (const [ruleId, count] of countByRule(acknowledgments)) console.log(`| \`${ruleId}\` | ${count} |`);
  console.log(`| **total** | **${acknowledgments.length}** |`);
}
