import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomResource } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { APP_ROLE, DATABASE_NAME, PROCESSOR_ROLE } from '@citadel/db/roles';
import { Construct } from 'constructs';
import type { LogPolicy } from '../platform/platform.js';
// The bootstrap function's own naming rule, read from its source (a file with no imports), so
// synth refuses exactly the role names the function would refuse at deploy time.
import { loginRolesProblem, roleNameProblem } from '../../../functions/src/database-bootstrap/role-names.js';
import { InvalidPropError } from '../invalid-prop-error.js';
import { CustomResourceProvider } from './custom-resource-provider.js';
import { functionEntry } from './node-function.js';

const MIGRATIONS_DIRECTORY = fileURLToPath(new URL('../../../db/src/migrations/', import.meta.url));

/** SHA-256 over the names and contents of the migration files, in name order. */
export function migrationsFingerprint(directory: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(directory).sort()) {
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(directory, name)))
      .update('\0');
  }
  return hash.digest('hex');
}

export interface DatabaseBootstrapProps {
  readonly vpc: IVpc;
  /** Subnets of the bootstrap function; they need the Secrets Manager endpoint and the database. */
  readonly vpcSubnets: SubnetSelection;
  /** Security group that reaches the database and the VPC endpoints. */
  readonly securityGroup: ISecurityGroup;
  readonly database: IDatabaseInstance;
  /** Master credentials, read only by the bootstrap function. */
  readonly masterSecret: ISecret;
  /** @default DATABASE_NAME of @citadel/db/roles */
  readonly databaseName?: string;
  /** The API's role, given IAM login (`rds_iam`). @default APP_ROLE of @citadel/db/roles */
  readonly appUserName?: string;
  /** The payment processor's role, given IAM login (`rds_iam`); must differ from `appUserName`. @default PROCESSOR_ROLE of @citadel/db/roles */
  readonly processorUserName?: string;
  /**
   * Every workload's own database role, each given IAM login (`rds_iam`) and CONNECT; must
   * list `appUserName` and `processorUserName`. A role no migration creates is created with
   * nothing else, for the workload's own migrations to grant; a role dropped from the list
   * on a later deploy loses its login and `rds_iam` but is never dropped.
   * @default - `appUserName` and `processorUserName`
   */
  readonly loginRoles?: readonly string[];
  readonly functionEnvironmentKey: IKey;
  /** Key and retention of the bootstrap's log groups: the environment's log policy. */
  readonly logPolicy: LogPolicy;
  /** Directory whose files the bootstrap applies; a change to it re-runs the bootstrap. @default packages/db/src/migrations */
  readonly migrationsDirectory?: string;
  /** @default - the database-bootstrap handler in packages/functions */
  readonly entry?: string;
}

/**
 * Prepares the database on deploy: with the master secret it applies the migrations, lets
 * each workload's own role sign in (IAM authentication only) and proves the separation
 * rules. Idempotent on update, harmless on delete.
 */
export class DatabaseBootstrap extends Construct {
  readonly resource: CustomResource;
  /** The roles that sign in by IAM after the bootstrap; each needs `rds-db:connect` for its workload. */
  readonly loginRoles: readonly string[];

  constructor(scope: Construct, id: string, props: DatabaseBootstrapProps) {
    super(scope, id);
    const appUser = this.roleName('appUserName', props.appUserName ?? APP_ROLE);
    const processorUser = this.roleName('processorUserName', props.processorUserName ?? PROCESSOR_ROLE);
    if (processorUser === appUser) {
      throw new InvalidPropError(
        this.node.path,
        'processorUserName',
        processorUser,
        `name a role other than appUserName ("${appUser}"), so the API cannot settle payments`,
      );
    }
    const loginRoles = props.loginRoles ?? [appUser, processorUser];
    const problem = loginRolesProblem(loginRoles, [appUser, processorUser]);
    if (problem) {
      throw new InvalidPropError(this.node.path, 'loginRoles', loginRoles, `the list ${problem}`);
    }
    this.loginRoles = [...loginRoles];
    const provider = new CustomResourceProvider(this, 'Provider', {
      entry: props.entry ?? functionEntry('database-bootstrap'),
      description: 'Applies database migrations and lets each workload role sign in by IAM',
      environmentKey: props.functionEnvironmentKey,
      logPolicy: props.logPolicy,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [props.securityGroup],
      reservedConcurrentExecutions: 1,
    });
    // Granted on the handler's role only: Secret.grantRead would also edit the secrets key's
    // policy in the network stack and make it depend back on this stack.
    Grant.addToPrincipal({
      grantee: provider.handler,
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resourceArns: [props.masterSecret.secretArn],
    });
    if (props.masterSecret.encryptionKey) {
      Grant.addToPrincipal({
        grantee: provider.handler,
        actions: ['kms:Decrypt'],
        resourceArns: [props.masterSecret.encryptionKey.keyArn],
      });
    }

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::CitadelDatabaseBootstrap',
      properties: {
        MasterSecretArn: props.masterSecret.secretArn,
        DbHost: props.database.dbInstanceEndpointAddress,
        DbPort: props.database.dbInstanceEndpointPort,
        DbName: props.databaseName ?? DATABASE_NAME,
        AppUser: appUser,
        ProcessorUser: processorUser,
        LoginRoles: this.loginRoles,
        // A new or changed migration changes this value, so the next deploy applies it.
        MigrationsFingerprint: migrationsFingerprint(props.migrationsDirectory ?? MIGRATIONS_DIRECTORY),
      },
    });
  }

  private roleName(prop: string, value: string): string {
    const problem = roleNameProblem(value);
    if (problem) throw new InvalidPropError(this.node.path, prop, value, `the role name ${problem}`);
    return value;
  }
}
