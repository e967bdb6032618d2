import { ENVIRONMENT_NAMES } from '../../config/index.js';
import { STACK_LAYERS } from '../../lib/stacks/citadel-stack.js';
import { awsJson, type RunAws } from './aws-cli.js';
import { requireLocalCredentials, verifyAwsIdentity } from './aws-identity.js';
import { environmentOption, parseCommandOptions } from './cli-args.js';
import { describeStack } from './cloudformation.js';
import { configNamed, layerRegion, projectConfigs, projectNames, type DeliveryDeps } from './delivery.js';
import { UsageError } from './errors.js';

/** What destroy touches: the delivery dependencies plus the AWS CLI. */
export interface DestroyDeps extends DeliveryDeps {
  readonly runAws: RunAws;
}

/** Resource types whose deletion protection destroy lifts, and how. */
const PROTECTED_TYPES = {
  database: 'AWS::RDS::DBInstance',
  loadBalancer: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
} as const;

const usage = (environments: readonly string[]): string =>
  `usage: npm run destroy -- --env <${environments.join('|')}> --confirm "destroy <env>" [--destroy-production]`;

interface StackResourceSummary {
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceType: string;
}

/**
 * `npm run destroy -- --env <env> --confirm "destroy <env>" [--destroy-production]`.
 *
 * After the typed confirmation (and for prod the second flag), and only then: lifts the
 * termination protection of each deployed stack, then the deletion protection of their
 * RDS instances and load balancers, then deletes the stacks one by one in reverse layer
 * order (baseline, monitoring, app, data, network, recovery, shared), waiting for each. A failure
 * stops the run. Resources with a RETAIN policy (keys, buckets, log groups, the backup
 * vault, the image repository) stay. Resolves to the exit code.
 */
export async function destroy(argv: readonly string[], deps: DestroyDeps): Promise<number> {
  const env = parseDestroyArgs(argv, projectNames(deps).environments);
  const config = configNamed(projectConfigs(deps), env);
  requireLocalCredentials(config, deps.env);
  const caller = await verifyAwsIdentity(config, deps.env, deps.getCallerIdentity);
  const awsEnv = { ...deps.env, AWS_REGION: config.region, AWS_DEFAULT_REGION: config.region };
  const aws = <T>(args: readonly string[], region = config.region): Promise<T> =>
    awsJson<T>(deps.runAws, [...args, '--region', region], {
      ...awsEnv,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
    });
  deps.log(`Destroying ${config.name} (account ${config.account}, ${config.region}) as ${caller.arn}`);

  const deployed: { stackName: string; region: string }[] = [];
  for (const layer of [...STACK_LAYERS].reverse()) {
    const stackName = `citadel-${config.name}-${layer}`;
    // The recovery stack lives in the recovery region; every other layer in the environment's.
    const region = layerRegion(config, layer);
    const stack = await describeStack(deps.runAws, stackName, region, awsEnv);
    if (!stack) {
      deps.log(`${stackName}: not deployed`);
      continue;
    }
    deployed.push({ stackName, region });
    if (stack.EnableTerminationProtection) {
      await aws(
        [
          'cloudformation',
          'update-termination-protection',
          '--no-enable-termination-protection',
          '--stack-name',
          stackName,
        ],
        region,
      );
      deps.log(`${stackName}: termination protection lifted`);
    }
  }
  // Every protection is lifted before the first deletion, so that a missing permission
  // stops destroy with the environment still whole.
  for (const { stackName, region } of deployed) {
    const { StackResourceSummaries: resources = [] } = await aws<{
      StackResourceSummaries?: StackResourceSummary[];
    }>(['cloudformation', 'list-stack-resources', '--stack-name', stackName], region);
    for (const resource of resources) {
      const id = resource.PhysicalResourceId;
      if (!id) continue;
      if (resource.ResourceType === PROTECTED_TYPES.database) {
        await liftDatabaseProtection(aws, id, deps);
      } else if (resource.ResourceType === PROTECTED_TYPES.loadBalancer) {
        await aws([
          'elbv2',
          'modify-load-balancer-attributes',
          '--load-balancer-arn',
          id,
          '--attributes',
          'Key=deletion_protection.enabled,Value=false',
        ]);
        deps.log(`${stackName}: deletion protection lifted on load balancer ${id}`);
      }
    }
  }
  for (const { stackName, region } of deployed) {
    deps.log(`${stackName}: deleting`);
    await aws(['cloudformation', 'delete-stack', '--stack-name', stackName], region);
    try {
      await aws(['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', stackName], region);
    } catch (error) {
      const after = await describeStack(deps.runAws, stackName, region, awsEnv).catch(() => undefined);
      deps.log(
        `${stackName}: not deleted (${after?.StackStatus ?? 'unknown state'}: ${after?.StackStatusReason ?? (error as Error).message}). ` +
          'The stacks after it were not deleted; fix the cause and run destroy again.',
      );
      return 1;
    }
    deps.log(`${stackName}: deleted`);
  }
  deps.log(
    `${config.name} destroyed. Retained resources (keys, buckets, log groups, backup vault, image repository) are kept; ` +
      '`npm run deploy` adopts the named ones when the environment is created again.',
  );
  return 0;
}

async function liftDatabaseProtection(
  aws: <T>(args: readonly string[]) => Promise<T>,
  identifier: string,
  deps: DestroyDeps,
): Promise<void> {
  const { DBInstances: [instance] = [] } = await aws<{
    DBInstances?: { DeletionProtection?: boolean }[];
  }>(['rds', 'describe-db-instances', '--db-instance-identifier', identifier]);
  if (!instance?.DeletionProtection) return;
  await aws([
    'rds',
    'modify-db-instance',
    '--db-instance-identifier',
    identifier,
    '--no-deletion-protection',
    '--apply-immediately',
  ]);
  // CloudFormation cannot delete an instance while it is still being modified.
  await aws(['rds', 'wait', 'db-instance-available', '--db-instance-identifier', identifier]);
  deps.log(`deletion protection lifted on database ${identifier}`);
}

/** Parses and checks the confirmation; throws UsageError, before anything is called, when it is not exact. */
export function parseDestroyArgs(
  argv: readonly string[],
  environments: readonly string[] = ENVIRONMENT_NAMES,
): string {
  const values = parseCommandOptions(
    argv,
    {
      env: { type: 'string' },
      confirm: { type: 'string' },
      'destroy-production': { type: 'boolean', default: false },
    },
    usage(environments),
  );
  const env = environmentOption(values.env, usage(environments), environments);
  if (values.confirm !== `destroy ${env}`) {
    throw new UsageError(
      `--confirm must be exactly "destroy ${env}" (got ${values.confirm === undefined ? 'nothing' : JSON.stringify(values.confirm)}); nothing was changed.`,
    );
  }
  if (env === 'prod' && !values['destroy-production']) {
    throw new UsageError('destroying prod also needs --destroy-production; nothing was changed.');
  }
  return env;
}
