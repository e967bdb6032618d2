/**
 * Synthesizes every environment, checked by every rule pack, into packages/infra/cdk.out.
 * Prints the time taken, the stacks written and the acknowledged findings per rule.
 * Exits non-zero (after the packs' report) when any finding is not acknowledged.
 *
 *   npm run synth                  # summary
 *   npm run synth -- --markdown    # plus the acknowledgment table for docs/compliance.md
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { collectAcknowledgments, countByRule } from '../lib/acknowledge.js';
import { buildCitadelApp } from '../lib/citadel-app.js';

const outdir = fileURLToPath(new URL('../cdk.out', import.meta.url));
rmSync(outdir, { recursive: true, force: true });

const started = performance.now();
const { app, stages } = buildCitadelApp({ outdir });
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

if (process.argv.includes('--markdown')) {
  console.log('\n| rule id | acknowledgments |\n| --- | ---: |');
  for (const [ruleId, count] of countByRule(acknowledgments)) console.log(`| \`${ruleId}\` | ${count} |`);
  console.log(`| **total** | **${acknowledgments.length}** |`);
}
