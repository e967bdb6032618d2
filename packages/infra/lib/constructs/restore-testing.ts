import { Arn, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { CfnRestoreTestingPlan, CfnRestoreTestingSelection, type IBackupVault } from 'aws-cdk-lib/aws-backup';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Port, type ISecurityGroup, type IVpc, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunctionResource } from 'aws-cdk-lib/aws-lambda';
import { SubnetGroup, type IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { DATABASE_NAME } from '@citadel/db/roles';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeOwnRolePolicy } from '../acknowledge.js';
import { InvalidPropError } from '../invalid-prop-error.js';
import type { LogPolicy } from '../platform/platform.js';
import { InlineRulesSecurityGroup } from './inline-rules-security-group.js';
import { functionEntry, NodeFunction } from './node-function.js';

/** AWS Backup names every RDS instance a restore test creates with this prefix. */
export const RESTORE_TEST_INSTANCE_PREFIX = 'awsbackup-restore-test-';

/**
 * The metrics the validation function emits, in the namespace given: two per drill
 * (drill-evidence.ts) and one per daily check (drill-freshness.ts).
 */
export const RESTORE_DRILL_METRICS = {
  restoreMinutes: 'RestoreDurationMinutes',
  failed: 'RestoreValidationFailed',
  daysSinceSuccess: 'DaysSinceSuccessfulDrill',
} as const;

export interface RestoreTestingProps {
  /** The database a drill restores. */
  readonly instance: IDatabaseInstance;
  /** Its master secret: the restored copy keeps the password of the recovery point. */
  readonly masterSecret: ISecret;
  /** The key the database and its snapshots are encrypted with. */
  readonly databaseKey: IKey;
  /** The vault whose latest recovery point is restored. */
  readonly vault: IBackupVault;
  readonly vpc: IVpc;
  /** Where the restored copy runs: the database's own isolated subnets. */
  readonly databaseSubnets: SubnetSelection;
  /** Where the validation function runs: the subnets that hold the VPC endpoints. */
  readonly functionSubnets: SubnetSelection;
  /** Security group of the interface endpoints (Backup, Secrets Manager, KMS, Logs). */
  readonly endpointSecurityGroup: ISecurityGroup;
  readonly functionEnvironmentKey: IKey;
  readonly logPolicy: LogPolicy;
  /** Environment name: part of the plan's name and the metrics' dimension. */
  readonly environmentName: string;
  /** CloudWatch namespace of the drill metrics, e.g. `Citadel/prod`. */
  readonly metricNamespace: string;
  /** A drill runs every this many days (1 daily, 7 weekly on Sunday, else every n-th day of the month). */
  readonly everyDays: number;
  /** Hour (UTC) a drill starts. */
  readonly startHourUtc: number;
  /** Hours the restored copy may live before AWS Backup deletes it (1 to 168). */
  readonly validationWindowHours: number;
  /** RDS instance class of the restored copy, e.g. `db.t4g.micro`. */
  readonly instanceClass: string;
  /** Recovery point objective: only a recovery point this recent is restored. */
  readonly rpoMinutes: number;
  /** Recovery time objective, passed to the function for its evidence. */
  readonly rtoMinutes: number;
}

/**
 * Restore drills of the database: an AWS Backup restore testing plan restores the latest
 * recovery point on a schedule into the database's isolated subnets, behind a security
 * group only the validation function may reach, as a small single-AZ instance that AWS
 * Backup deletes after validation or at the end of the window. The validation function,
 * started by the restore job's completion event, checks the copy and reports the result to
 * AWS Backup; its evidence record carries the restore duration and the outcome as metrics.
 */
export class RestoreTesting extends Construct {
  readonly plan: CfnRestoreTestingPlan;
  readonly selection: CfnRestoreTestingSelection;
  /** Role AWS Backup restores with. */
  readonly restoreRole: Role;
  /** Security group of every restored copy: PostgreSQL from the validation function only. */
  readonly restoredSecurityGroup: ISecurityGroup;
  readonly validationSecurityGroup: ISecurityGroup;
  readonly validator: LambdaFunctionResource;
  readonly completionRule: Rule;
  /** Runs the validation function's freshness check once a day. */
  readonly dailyCheckRule: Rule;
  /** Restore duration per drill, in minutes (maximum over a day). */
  readonly restoreMinutesMetric: Metric;
  /** 1 for a drill whose validation failed, 0 for one that passed (maximum over a day). */
  readonly failedMetric: Metric;
  /** Days since a drill of the plan last passed validation, from the daily check (maximum over a day). */
  readonly daysSinceSuccessMetric: Metric;

  constructor(scope: Construct, id: string, props: RestoreTestingProps) {
    super(scope, id);
    this.validate(props);
    const stack = Stack.of(this);
    const baseName = `citadel_${props.environmentName.replace(/-/g, '_')}_database`;

    const subnetGroup = new SubnetGroup(this, 'RestoredSubnetGroup', {
      vpc: props.vpc,
      vpcSubnets: props.databaseSubnets,
      description: 'Isolated subnets of the restore drills’ temporary database copies',
    });
    const restored = new InlineRulesSecurityGroup(this, 'RestoredSecurityGroup', {
      vpc: props.vpc,
      description: 'Restore drill database copy: PostgreSQL from the restore validation function only',
    });
    const validation = new InlineRulesSecurityGroup(this, 'ValidationSecurityGroup', {
      vpc: props.vpc,
      description: 'Restore validation function: the restored copy and the AWS API endpoints only',
    });
    validation.addEgressRule(
      props.endpointSecurityGroup,
      Port.tcp(443),
      'AWS APIs through the interface endpoints',
    );
    validation.addEgressRule(restored, Port.tcp(5432), 'PostgreSQL on the restored copy');
    restored.addIngressRule(validation, Port.tcp(5432), 'PostgreSQL from the restore validation function');
    this.restoredSecurityGroup = restored;
    this.validationSecurityGroup = validation;

    this.restoreRole = this.restoreRoleFor(props, subnetGroup.subnetGroupName);

    this.plan = new CfnRestoreTestingPlan(this, 'Plan', {
      restoreTestingPlanName: baseName,
      scheduleExpression: restoreScheduleExpression(props.everyDays, props.startHourUtc),
      scheduleExpressionTimezone: 'Etc/UTC',
      startWindowHours: 1,
      recoveryPointSelection: {
        algorithm: 'LATEST_WITHIN_WINDOW',
        includeVaults: [props.vault.backupVaultArn],
        recoveryPointTypes: ['SNAPSHOT'],
        // A recovery point older than the RPO is not restored: the drill then fails to start, which is itself a finding.
        selectionWindowDays: Math.max(1, Math.ceil(props.rpoMinutes / (24 * 60))),
      },
    });
    this.selection = new CfnRestoreTestingSelection(this, 'Selection', {
      restoreTestingPlanName: this.plan.restoreTestingPlanName,
      restoreTestingSelectionName: `${baseName}_instance`,
      protectedResourceType: 'RDS',
      protectedResourceArns: [props.instance.instanceArn],
      iamRoleArn: this.restoreRole.roleArn,
      validationWindowHours: props.validationWindowHours,
      restoreMetadataOverrides: {
        dbsubnetgroupname: subnetGroup.subnetGroupName,
        vpcsecuritygroupids: stack.toJsonString([restored.securityGroupId]),
        dbinstanceclass: props.instanceClass,
        multiaz: 'false',
        publiclyaccessible: 'false',
        enableiamdatabaseauthentication: 'true',
      },
    });
    this.selection.addResourceDependency(this.plan);

    const fn = new NodeFunction(this, 'Validator', {
      entry: functionEntry('restore-validation'),
      description: 'Checks a restore drill’s database copy and reports the result to AWS Backup',
      environmentKey: props.functionEnvironmentKey,
      logPolicy: props.logPolicy,
      vpc: props.vpc,
      vpcSubnets: props.functionSubnets,
      securityGroups: [validation],
      reservedConcurrentExecutions: 1,
      timeout: Duration.minutes(2),
      environment: {
        RESTORE_TESTING_PLAN_ARN: this.plan.attrRestoreTestingPlanArn,
        MASTER_SECRET_ARN: props.masterSecret.secretArn,
        DB_NAME: DATABASE_NAME,
        RTO_MINUTES: String(props.rtoMinutes),
        METRIC_NAMESPACE: props.metricNamespace,
        ENVIRONMENT_NAME: props.environmentName,
      },
    });
    this.validator = fn.function;
    const role = fn.function.role;
    if (!role) throw new Error('NodeFunction did not create an execution role');
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadTheMasterSecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.masterSecret.secretArn],
      }),
    );
    if (props.masterSecret.encryptionKey) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'DecryptTheMasterSecret',
          actions: ['kms:Decrypt'],
          resources: [props.masterSecret.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
        }),
      );
    }
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReportRestoreValidation',
        actions: ['backup:DescribeRestoreJob', 'backup:PutRestoreValidationResult', 'backup:ListRestoreJobs'],
        resources: ['*'],
      }),
    );
    acknowledge(
      fn.function,
      ['HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'PCI.DSS.321-LambdaDLQ'],
      'Invoked only by the restore-completed EventBridge rule and the daily freshness schedule, which retry; a missed daily check is itself an alarm (missing data breaches); an event that still fails leaves the restore job unvalidated, AWS Backup marks it TIMED_OUT, and the restore drill alarms fire on the function errors. A queued event would be stale by then: the copy is deleted at the end of the validation window.',
    );
    acknowledge(
      role,
      ['AwsSolutions-IAM5[Resource::*]'],
      'backup:DescribeRestoreJob, backup:PutRestoreValidationResult and backup:ListRestoreJobs take no resource in IAM (a restore job has no ARN); the function checks with DescribeRestoreJob that a job belongs to its own restore testing plan before reporting on it, and lists only that plan’s jobs.',
    );

    // Only fields AWS Backup's EventBridge reference shows in a completed restore job's event;
    // which plan started the job is read by the function from DescribeRestoreJob (CreatedBy).
    this.completionRule = new Rule(this, 'RestoreCompleted', {
      description: 'An RDS restore job completed: validate the copy if this environment’s drill made it',
      eventPattern: {
        source: ['aws.backup'],
        detailType: ['Restore Job State Change'],
        detail: { status: ['COMPLETED'], resourceType: ['RDS'] },
      },
      targets: [new LambdaTarget(fn.function, { retryAttempts: 2, maxEventAge: Duration.hours(2) })],
    });

    this.dailyCheckRule = new Rule(this, 'DailyFreshnessCheck', {
      description: 'Once a day: emit the days since a restore drill of this environment last passed',
      schedule: Schedule.rate(Duration.days(1)),
      targets: [new LambdaTarget(fn.function, { retryAttempts: 2, maxEventAge: Duration.hours(2) })],
    });

    const dimensionsMap = { Environment: props.environmentName };
    this.restoreMinutesMetric = new Metric({
      namespace: props.metricNamespace,
      metricName: RESTORE_DRILL_METRICS.restoreMinutes,
      dimensionsMap,
      statistic: 'Maximum',
      period: Duration.days(1),
    });
    this.failedMetric = new Metric({
      namespace: props.metricNamespace,
      metricName: RESTORE_DRILL_METRICS.failed,
      dimensionsMap,
      statistic: 'Maximum',
      period: Duration.days(1),
    });
    this.daysSinceSuccessMetric = new Metric({
      namespace: props.metricNamespace,
      metricName: RESTORE_DRILL_METRICS.daysSinceSuccess,
      dimensionsMap,
      statistic: 'Maximum',
      period: Duration.days(1),
    });
  }

  /**
   * The role AWS Backup restores with: restore a snapshot of this vault into an
   * `awsbackup-restore-test-*` instance in the drills' subnet group, tag it and delete it,
   * and let RDS use the database key for the copy (a grant for an AWS resource only).
   */
  private restoreRoleFor(props: RestoreTestingProps, subnetGroupName: string): Role {
    const stack = Stack.of(this);
    const rds = (resourceType: string, name: string) =>
      Arn.format(
        {
          service: 'rds',
          resource: resourceType,
          resourceName: name,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        },
        stack,
      );
    const restoredInstances = rds('db', `${RESTORE_TEST_INSTANCE_PREFIX}*`);
    const role = new Role(this, 'RestoreRole', {
      assumedBy: new ServicePrincipal('backup.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description:
        'AWS Backup restore drills: restores the database snapshot into a temporary copy and deletes it',
    });
    const statements = [
      new PolicyStatement({
        sid: 'RestoreIntoTheDrillSubnetGroup',
        actions: ['rds:RestoreDBInstanceFromDBSnapshot'],
        resources: [
          rds('snapshot', 'awsbackup:*'),
          restoredInstances,
          rds('subgrp', subnetGroupName),
          rds('og', '*'),
          rds('pg', '*'),
        ],
      }),
      new PolicyStatement({
        sid: 'ManageTheRestoredCopy',
        actions: ['rds:AddTagsToResource', 'rds:DeleteDBInstance', 'rds:DescribeDBInstances'],
        resources: [restoredInstances],
      }),
      new PolicyStatement({
        sid: 'ReadTheRecoveryPoint',
        actions: ['rds:DescribeDBSnapshots'],
        resources: [rds('snapshot', 'awsbackup:*')],
      }),
      new PolicyStatement({
        sid: 'DatabaseKeyForTheCopy',
        actions: ['kms:CreateGrant'],
        resources: [props.databaseKey.keyArn],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
      new PolicyStatement({
        sid: 'DescribeTheDatabaseKey',
        actions: ['kms:DescribeKey'],
        resources: [props.databaseKey.keyArn],
      }),
    ];
    for (const statement of statements) role.addToPrincipalPolicy(statement);
    acknowledgeOwnRolePolicy(role);
    acknowledge(
      role,
      [rds('snapshot', 'awsbackup:*'), restoredInstances, rds('og', '*'), rds('pg', '*')].map(
        (arn) => `AwsSolutions-IAM5[Resource::${arn}]`,
      ),
      'Assumable only by AWS Backup from this account. Recovery points and restored copies get names AWS Backup chooses at run time (awsbackup:job-…, awsbackup-restore-test-…), so the prefixes are the narrowest names; the restore is pinned to the drill subnet group, and the default option and parameter groups are read-only inputs of the restore.',
    );
    return role;
  }

  private validate(props: RestoreTestingProps): void {
    const whole = (name: keyof RestoreTestingProps, min: number, max: number) => {
      const value = props[name];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        throw new InvalidPropError(
          this.node.path,
          name,
          value,
          `expected a whole number from ${min} to ${max}`,
        );
      }
    };
    whole('everyDays', 1, 31);
    whole('startHourUtc', 0, 23);
    whole('validationWindowHours', 1, 168);
    whole('rpoMinutes', 1, 525_600);
    whole('rtoMinutes', 1, 525_600);
    if (!/^[a-z][a-z0-9-]{0,15}$/.test(props.environmentName)) {
      throw new InvalidPropError(
        this.node.path,
        'environmentName',
        props.environmentName,
        'expected lower-case letters, digits and hyphens, starting with a letter, at most 16 characters',
      );
    }
  }
}

/**
 * The restore testing plan's schedule: daily, weekly on Sunday, or on every n-th day of the
 * month (1, 1+n, …), whose longest gap, over a month's end too, is at most n days.
 */
export function restoreScheduleExpression(everyDays: number, startHourUtc: number): string {
  if (everyDays === 1) return `cron(0 ${startHourUtc} * * ? *)`;
  if (everyDays === 7) return `cron(0 ${startHourUtc} ? * SUN *)`;
  return `cron(0 ${startHourUtc} 1/${everyDays} * ? *)`;
}
