import { readFileSync, writeFileSync } from 'node:fs';
import { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { synthesizedApp } from '../support/synthesized-app.js';

/**
 * Resources whose replacement loses data or breaks what was encrypted or recorded: the
 * database and its secret, KMS keys, buckets, log groups, queues (messages in flight),
 * backup vaults and the trail. CloudFormation replaces a resource whose logical id changes,
 * so these ids are pinned per environment and stack in `stateful-resources.json`.
 *
 * A refactor that moves one of them must keep its logical id (`overrideLogicalId` or the
 * same construct path); a deliberate replacement updates the file in the same change and
 * documents the migration path (docs/operations.md). `UPDATE_STATEFUL_PINS=1 npx vitest
 * run packages/infra/test/stateful` rewrites the file.
 */
const STATEFUL_TYPES = new Set([
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBSubnetGroup',
  'AWS::SecretsManager::Secret',
  'AWS::KMS::Key',
  'AWS::S3::Bucket',
  'AWS::Logs::LogGroup',
  'AWS::SQS::Queue',
  'AWS::Backup::BackupVault',
  'AWS::CloudTrail::Trail',
  'AWS::ECR::Repository',
  'AWS::SSM::Parameter',
]);
const PINS_FILE = new URL('./stateful-resources.json', import.meta.url);

type Pins = Record<string, Record<string, string[]>>;

function currentStatefulIds(): Pins {
  const app = synthesizedApp();
  const pins: Pins = {};
  for (const stage of app.stages) {
    const byStack: Record<string, string[]> = {};
    for (const child of stage.node.children) {
      if (!Stack.isStack(child)) continue;
      const template = stage.synth().getStackArtifact(child.artifactId).template as {
        Resources?: Record<string, { Type: string }>;
      };
      const ids = Object.entries(template.Resources ?? {})
        .filter(([, resource]) => STATEFUL_TYPES.has(resource.Type))
        .map(([logicalId, resource]) => `${resource.Type} ${logicalId}`)
        .sort();
      if (ids.length > 0) byStack[child.stackName] = ids;
    }
    pins[stage.stageName] = byStack;
  }
  return pins;
}

describe('stateful resources keep their logical ids', () => {
  const current = currentStatefulIds();
  if (process.env.UPDATE_STATEFUL_PINS === '1') {
    writeFileSync(PINS_FILE, `${JSON.stringify(current, null, 2)}\n`);
  }
  const pinned = JSON.parse(readFileSync(PINS_FILE, 'utf8')) as Pins;

  for (const environment of Object.keys(pinned)) {
    it(`${environment}: no pinned database, key, bucket, log group, queue, vault or trail is renamed or removed`, () => {
      const now = current[environment];
      expect(now, `environment ${environment} is no longer synthesized`).toBeDefined();
      for (const [stackName, ids] of Object.entries(pinned[environment] ?? {})) {
        const present = new Set(now?.[stackName] ?? []);
        const missing = ids.filter((id) => !present.has(id));
        expect(missing, `${stackName}: replaced or removed`).toEqual([]);
      }
    });
  }

  it('pins something real: the database, its key and the log key of every environment', () => {
    for (const environment of Object.keys(pinned)) {
      const all = Object.values(pinned[environment] ?? {}).flat();
      expect(all.some((id) => id.startsWith('AWS::RDS::DBInstance '))).toBe(true);
      expect(all.filter((id) => id.startsWith('AWS::KMS::Key ')).length).toBeGreaterThanOrEqual(3);
      expect(all.some((id) => id.startsWith('AWS::Logs::LogGroup '))).toBe(true);
    }
  });
});
