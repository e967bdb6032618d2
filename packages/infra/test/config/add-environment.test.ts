import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, ENVIRONMENTS_DIRECTORY, loadEnvironmentsFrom } from '../../config/index.js';
import { buildCitadelApp } from '../../lib/citadel-app.js';

const configDirectory = join(ENVIRONMENTS_DIRECTORY, '..');
const scratch = mkdtempSync(join(tmpdir(), 'citadel-environments-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * `staging`, written the way a team would: one file beside the others. It shares the QA
 * account and region, so it owns no detective control (QA does) and imports the account's
 * GitHub OIDC provider instead of creating a second one.
 */
const STAGING = `
import { requestsPerTargetFor } from '${join(configDirectory, 'capacity.js')}';
import { defineEnvironment } from '${join(configDirectory, 'schema.js')}';

export default defineEnvironment({
  name: 'staging',
  account: '222222222222',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  vpcCidr: '10.50.0.0/16',
  logRetentionDays: 90,
  alarmEmail: 'citadel-alerts-staging@example.com',
  service: { cpu: 512, memoryMiB: 1024, minTasks: 1, maxTasks: 2, cpuTargetPercent: 60, requestsPerTarget: requestsPerTargetFor(512) },
  edge: { domainName: 'api.staging.citadel.example.com', albDeletionProtection: false, wafRateLimitPer5Min: 1000 },
  dns: { provider: 'route53', hostedZoneId: 'Z00000000000000000005', zoneName: 'staging.citadel.example.com' },
  payments: { maxReceiveCount: 3, processorReservedConcurrency: 2 },
  database: {
    instanceClass: 't4g', instanceSize: 'medium', allocatedStorageGiB: 20, maxAllocatedStorageGiB: 50,
    multiAz: false, backupRetentionDays: 7, deletionProtection: false, snapshotOnDelete: false,
    backupPlanRetentionDays: 35, vaultMinRetentionDays: 7, monitoringIntervalSeconds: 60,
    recoveryObjectives: { rpoMinutes: 1680, rtoMinutes: 480, measuredRestoreMinutes: 30, maxDaysBetweenDrills: 31 },
    restoreTesting: { everyDays: 30, startHourUtc: 8, validationWindowHours: 1, instanceClass: 'db.t4g.micro' },
  },
  baseline: {},
  github: {
    repository: 'example-org/citadel',
    oidcProviderArn: 'arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com',
  },
  features: { waf: true, containerInsights: true, ecsExec: false },
});
`;

function write(directory: string, file: string, text: string): string {
  const folder = mkdtempSync(join(scratch, directory));
  writeFileSync(join(folder, file), text);
  return folder;
}

describe('adding an environment is one config file', () => {
  it('loads staging beside the shipped environments and synthesizes it through every rule pack', async () => {
    const extra = write('staging-', 'staging.ts', STAGING);

    const configs = await loadEnvironmentsFrom(ENVIRONMENTS_DIRECTORY, extra);
    const staging = configs.find((config) => config.name === 'staging');

    expect(configs.map((config) => config.name)).toEqual(['courses', 'dev', 'prod', 'qa', 'staging']);
    expect(staging).toBeDefined();
    // Rule packs run at synth; an unacknowledged finding throws here.
    const { app, stages } = buildCitadelApp({ configs: [staging!] });
    const assembly = app.synth();
    expect(stages.map((stage) => stage.stageName)).toEqual(['staging']);
    const stacks = assembly.getNestedAssembly(`assembly-staging`).stacks.map((stack) => stack.stackName);
    expect(stacks.sort()).toEqual([
      'citadel-staging-app',
      'citadel-staging-data',
      'citadel-staging-monitoring',
      'citadel-staging-network',
      'citadel-staging-shared',
    ]);
  }, 120_000);

  it('refuses a file whose name differs from the environment it declares, naming both', async () => {
    const extra = write('misnamed-', 'stage.ts', STAGING);

    await expect(loadEnvironmentsFrom(extra)).rejects.toThrow(/the file stage\.ts must declare name "stage"/);
  });

  it('refuses a second file for an existing environment', async () => {
    const extra = write('twice-', 'qa.ts', STAGING.replace("name: 'staging'", "name: 'qa'"));

    const error = await loadEnvironmentsFrom(ENVIRONMENTS_DIRECTORY, extra).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('two files declare environment "qa"');
  });

  it('checks the new environment against the others: a second trail in the account is refused', async () => {
    const extra = write(
      'trail-',
      'staging.ts',
      STAGING.replace('baseline: {}', 'baseline: { account: { cloudTrail: true } }'),
    );

    const error = await loadEnvironmentsFrom(ENVIRONMENTS_DIRECTORY, extra).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('baseline.account.cloudTrail');
    expect((error as ConfigError).message).toContain('"qa"');
  });

  it.each([
    ['upper case', 'Staging'],
    ['a leading digit', '1staging'],
    ['an underscore', 'stag_ing'],
    ['more than 16 characters', 'staging-environment'],
    ['a path separator', 'stag/ing'],
    ['a unicode look-alike', 'stаging'],
  ])('refuses a name with %s', async (_case, name) => {
    const extra = write(
      'names-',
      'bad.ts',
      STAGING.replace("name: 'staging'", `name: ${JSON.stringify(name)}`),
    );

    const error = await loadEnvironmentsFrom(extra).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('name');
  });
});
