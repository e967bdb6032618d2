import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Topic } from 'aws-cdk-lib/aws-sns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../../config/index.js';
import { DAILY_BACKUP_PLAN } from '../../../config/recovery.js';
import { readCdkContext } from '../../../lib/citadel-app.js';
import { RestoreDrillAlarms } from '../../../lib/constructs/restore-drill-alarms.js';
import { restoreScheduleExpression } from '../../../lib/constructs/restore-testing.js';
import { DataStack } from '../../../lib/stacks/data-stack.js';
import { NetworkStack } from '../../../lib/stacks/network-stack.js';
import { resolveIntrinsics } from '../../support/resolve-intrinsics.js';
import { actionsOf, onlyResource, resourcesOf, type Resource } from '../../support/template-queries.js';

const config = loadEnvironmentConfig('prod');
const stage = new Stage(new App({ context: readCdkContext() }), config.name, {
  env: { account: config.account, region: config.region },
});
const network = new NetworkStack(stage, { config });
const data = new DataStack(stage, { config, network });
const template = Template.fromStack(data);
const resources = template.toJSON().Resources as Record<string, Resource>;
const networkResources = Template.fromStack(network).toJSON().Resources as Record<string, Resource>;
const resolve = (value: unknown) =>
  resolveIntrinsics(value, { account: config.account, region: config.region });

const drillSubnetGroupId = data.getLogicalId(
  data.restoreTesting.node.findChild('RestoredSubnetGroup').node.defaultChild as never,
);
const restoreRoleId = data.getLogicalId(data.restoreTesting.restoreRole.node.defaultChild as never);
const validatorRoleId = data.getLogicalId(data.restoreTesting.validator.role?.node.defaultChild as never);
const restoredSgId = data.getLogicalId(data.restoreTesting.restoredSecurityGroup.node.defaultChild as never);
const validationSgId = data.getLogicalId(
  data.restoreTesting.validationSecurityGroup.node.defaultChild as never,
);

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

/** Every Allow statement of the policies attached to a role. */
function statementsOf(roleId: string): Statement[] {
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties?.Roles).includes(roleId))
    .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/** Does an identity policy allow `action` on `resource` (IAM wildcards, Allow only; conditions returned for the caller to check)? */
function allowing(statements: Statement[], action: string, resource: string): Statement[] {
  return statements.filter((statement) => {
    if (statement.Effect !== 'Allow') return false;
    const actions = actionsOf(statement as never);
    const targets = [resolve(statement.Resource)].flat() as unknown[];
    return (
      actions.some((pattern) => glob(pattern).test(action)) &&
      targets.some((target) => typeof target === 'string' && glob(target).test(resource))
    );
  });
}

const arn = (type: string, name: string) => `arn:aws:rds:${config.region}:${config.account}:${type}:${name}`;

describe('RestoreTesting', () => {
  describe('the restore role', () => {
    const statements = statementsOf(restoreRoleId);
    const subnetGroupName = resolve({ Ref: drillSubnetGroupId }) as string;

    it('may only be assumed by AWS Backup on behalf of this account', () => {
      const role = resources[restoreRoleId];
      expect(role?.Properties?.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'backup.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': config.account } },
          },
        ],
      });
    });

    it.each([
      ['the recovery point', arn('snapshot', 'awsbackup:job-0a1b2c3d')],
      ['a restore-test instance', arn('db', 'awsbackup-restore-test-5e0f8a1b')],
      ['the drills’ subnet group', arn('subgrp', subnetGroupName)],
    ])('may restore from a snapshot into %s', (_, resource) => {
      expect(allowing(statements, 'rds:RestoreDBInstanceFromDBSnapshot', resource)).not.toEqual([]);
    });

    it.each([
      [
        'restore over the production instance',
        'rds:RestoreDBInstanceFromDBSnapshot',
        arn('db', 'citadel-prod-postgres'),
      ],
      ['restore into another subnet group', 'rds:RestoreDBInstanceFromDBSnapshot', arn('subgrp', 'default')],
      [
        'restore from a manual snapshot',
        'rds:RestoreDBInstanceFromDBSnapshot',
        arn('snapshot', 'citadel-final'),
      ],
      ['delete the production instance', 'rds:DeleteDBInstance', arn('db', 'citadel-prod-postgres')],
      ['change the production instance', 'rds:ModifyDBInstance', arn('db', 'citadel-prod-postgres')],
    ])('may not %s', (_, action, resource) => {
      expect(allowing(statements, action, resource)).toEqual([]);
    });

    it('may delete the restored copy when the drill ends', () => {
      expect(
        allowing(statements, 'rds:DeleteDBInstance', arn('db', 'awsbackup-restore-test-5e0f8a1b')),
      ).not.toEqual([]);
    });

    it('may let RDS use the database key for the copy, and only through a grant for an AWS resource', () => {
      const databaseKey = onlyResource(template, 'AWS::RDS::DBInstance')[1].Properties?.KmsKeyId;
      const grants = statements.filter((statement) =>
        actionsOf(statement as never).includes('kms:CreateGrant'),
      );

      expect(grants).toEqual([
        expect.objectContaining({
          Resource: databaseKey,
          Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        }),
      ]);
      expect(statements.flatMap((statement) => actionsOf(statement as never))).not.toContain('kms:Decrypt');
    });
  });

  describe('the restore testing plan', () => {
    const [, plan] = onlyResource(template, 'AWS::Backup::RestoreTestingPlan');
    const [, selection] = onlyResource(template, 'AWS::Backup::RestoreTestingSelection');
    const overrides = selection.Properties?.RestoreMetadataOverrides as Record<string, unknown>;

    it('restores the latest recovery point of the database vault, weekly in prod, no older than the RPO', () => {
      const vaultId = onlyResource(template, 'AWS::Backup::BackupVault')[0];
      expect(plan.Properties).toMatchObject({
        ScheduleExpression: 'cron(0 8 ? * SUN *)',
        RecoveryPointSelection: {
          Algorithm: 'LATEST_WITHIN_WINDOW',
          IncludeVaults: [{ 'Fn::GetAtt': [vaultId, 'BackupVaultArn'] }],
          RecoveryPointTypes: ['SNAPSHOT'],
          SelectionWindowDays: Math.ceil(config.database.recoveryObjectives.rpoMinutes / 1440),
        },
      });
    });

    it('restores the database instance as a small single-AZ copy, not public, with IAM authentication', () => {
      const [instanceId] = onlyResource(template, 'AWS::RDS::DBInstance');
      expect(JSON.stringify(selection.Properties?.ProtectedResourceArns)).toContain(instanceId);
      expect(selection.Properties).toMatchObject({
        ProtectedResourceType: 'RDS',
        IamRoleArn: { 'Fn::GetAtt': [restoreRoleId, 'Arn'] },
        ValidationWindowHours: config.database.restoreTesting.validationWindowHours,
      });
      expect(overrides).toMatchObject({
        dbinstanceclass: config.database.restoreTesting.instanceClass,
        multiaz: 'false',
        publiclyaccessible: 'false',
        enableiamdatabaseauthentication: 'true',
      });
    });

    it('places the copy in the database’s isolated subnets behind the drill security group', () => {
      const subnetGroup = resources[drillSubnetGroupId] as Resource;
      const databaseSubnetGroup = onlyResource(template, 'AWS::RDS::DBInstance')[1].Properties
        ?.DBSubnetGroupName;
      expect(databaseSubnetGroup).not.toEqual({ Ref: drillSubnetGroupId });
      expect(overrides.dbsubnetgroupname).toEqual({ Ref: drillSubnetGroupId });
      const subnetIds = JSON.stringify(subnetGroup.Properties?.SubnetIds);
      const dataSubnets = Object.entries(networkResources).filter(
        ([, resource]) =>
          resource.Type === 'AWS::EC2::Subnet' &&
          JSON.stringify(resource.Properties?.Tags).includes('"aws-cdk:subnet-name","Value":"data"'),
      );
      expect(dataSubnets.length).toBeGreaterThan(1);
      for (const [id] of dataSubnets) expect(subnetIds).toContain(id);
      expect(JSON.stringify(overrides.vpcsecuritygroupids)).toContain(restoredSgId);
    });
  });

  describe('network paths', () => {
    const ingress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress'));

    it('admits only the validation function to the restored copy, on 5432', () => {
      const toRestored = ingress.filter((rule) =>
        JSON.stringify(rule.Properties?.GroupId).includes(restoredSgId),
      );
      expect(toRestored.map((rule) => rule.Properties)).toEqual([
        expect.objectContaining({
          IpProtocol: 'tcp',
          FromPort: 5432,
          ToPort: 5432,
          SourceSecurityGroupId: { 'Fn::GetAtt': [validationSgId, 'GroupId'] },
        }),
      ]);
      expect(JSON.stringify(resources[restoredSgId]?.Properties?.SecurityGroupIngress ?? [])).toBe('[]');
    });

    it('keeps the API out: the service security group reaches the database, never the copy', () => {
      const serviceSg = JSON.stringify(resolve(data.resolve(network.serviceSecurityGroup.securityGroupId)));
      const restoredRules = JSON.stringify(
        ingress.filter((rule) => JSON.stringify(rule.Properties?.GroupId).includes(restoredSgId)),
      );
      expect(restoredRules).not.toContain(serviceSg.replace(/"/g, ''));
      expect(restoredRules).not.toContain('CidrIp');
    });

    it('lets the validation function reach only the copy on 5432 and the endpoints on 443', () => {
      // Rules written on the group and rules to a group of the same stack, kept as their own resources.
      const egress = [
        ...(resources[validationSgId]?.Properties?.SecurityGroupEgress as Record<string, unknown>[]),
        ...Object.values(resources)
          .filter(
            (resource) =>
              resource.Type === 'AWS::EC2::SecurityGroupEgress' &&
              JSON.stringify(resource.Properties?.GroupId) ===
                JSON.stringify({ 'Fn::GetAtt': [validationSgId, 'GroupId'] }),
          )
          .map((resource) => resource.Properties as Record<string, unknown>),
      ];
      expect(
        egress.map(({ FromPort, ToPort, DestinationSecurityGroupId }) => [
          FromPort,
          ToPort,
          DestinationSecurityGroupId,
        ]),
      ).toEqual(
        expect.arrayContaining([
          [443, 443, expect.anything()],
          [5432, 5432, { 'Fn::GetAtt': [restoredSgId, 'GroupId'] }],
        ]),
      );
      expect(egress).toHaveLength(2);
      expect(JSON.stringify(egress)).not.toContain('0.0.0.0/0');
    });

    it('gives the restored copy no outbound path', () => {
      const egress = JSON.stringify(resources[restoredSgId]?.Properties?.SecurityGroupEgress);
      expect(egress).not.toMatch(/"IpProtocol":"-1"/);
    });

    it('reaches AWS Backup through an interface endpoint, since the subnets have no route out', () => {
      const services = Object.values(networkResources)
        .filter((resource) => resource.Type === 'AWS::EC2::VPCEndpoint')
        .map((resource) => JSON.stringify(resource.Properties?.ServiceName));
      expect(services.some((name) => name.includes('.backup'))).toBe(true);
    });
  });

  describe('the completion event', () => {
    const ruleId = data.getLogicalId(data.restoreTesting.completionRule.node.defaultChild as never);
    const rule = resources[ruleId] as Resource;
    const dailyRuleId = data.getLogicalId(data.restoreTesting.dailyCheckRule.node.defaultChild as never);
    const [planId] = onlyResource(template, 'AWS::Backup::RestoreTestingPlan');
    const functionId = data.getLogicalId(data.restoreTesting.validator.node.defaultChild as never);

    // The State: COMPLETED example of AWS Backup's EventBridge reference, for an RDS restore.
    const completedRestore = {
      version: '0',
      id: 'ab32977c-378d-2122-e985-fgh4596f0709',
      'detail-type': 'Restore Job State Change',
      source: 'aws.backup',
      account: '111111111111',
      time: '2026-11-29T05:42:10Z',
      region: 'eu-west-1',
      resources: ['arn:aws:rds:eu-west-1:111111111111:snapshot:awsbackup:job-0a1b2c3d'],
      detail: {
        restoreJobId: 'AB123456-78C9-0123-456D-789012E34567',
        backupVaultArn: 'arn:aws:backup:eu-west-1:111111111111:backup-vault:citadel-dev-database',
        recoveryPointArn: 'arn:aws:rds:eu-west-1:111111111111:snapshot:awsbackup:job-0a1b2c3d',
        sourceResourceArn: 'arn:aws:rds:eu-west-1:111111111111:db:citadel-dev-postgres',
        backupSizeInBytes: '0',
        creationDate: '2026-11-29T05:00:00.742Z',
        iamRoleArn: 'arn:aws:iam::111111111111:role/citadel-dev-restore-testing',
        percentDone: 0,
        resourceType: 'RDS',
        status: 'COMPLETED',
        createdResourceArn: 'arn:aws:rds:eu-west-1:111111111111:db:awsbackup-restore-test-5e0f8a1b2c3d',
        completionDate: '2026-11-29T05:41:30.128Z',
      },
    };
    /** EventBridge's matching for patterns of exact values: every pattern key is present and one of the listed values. */
    const matches = (pattern: unknown, event: unknown): boolean =>
      Object.entries(pattern as Record<string, unknown>).every(([key, expected]) => {
        const actual = (event as Record<string, unknown> | undefined)?.[key];
        return Array.isArray(expected) ? expected.includes(actual) : matches(expected, actual);
      });

    it('matches the completed RDS restore event AWS Backup documents, which names no restore testing plan', () => {
      expect(matches(rule.Properties?.EventPattern, completedRestore)).toBe(true);
      expect(JSON.stringify(rule.Properties?.EventPattern)).not.toContain(planId);
    });

    it.each([
      ['a running restore', { status: 'RUNNING' }],
      ['a failed restore', { status: 'FAILED' }],
      ['an EBS restore', { resourceType: 'EBS' }],
    ])('does not match %s', (_, detail) => {
      const event = { ...completedRestore, detail: { ...completedRestore.detail, ...detail } };
      expect(matches(rule.Properties?.EventPattern, event)).toBe(false);
    });

    it('matches only documented fields, and invokes the validation function', () => {
      expect(rule.Properties?.EventPattern).toEqual({
        source: ['aws.backup'],
        'detail-type': ['Restore Job State Change'],
        detail: { status: ['COMPLETED'], resourceType: ['RDS'] },
      });
      expect((rule.Properties?.Targets as { Arn: unknown }[]).map((target) => target.Arn)).toEqual([
        { 'Fn::GetAtt': [functionId, 'Arn'] },
      ]);
    });

    it('admits only the completion rule and the daily check as callers', () => {
      const permissions = Object.values(resourcesOf(template, 'AWS::Lambda::Permission')).filter(
        (permission) => JSON.stringify(permission.Properties?.FunctionName).includes(functionId),
      );
      expect(permissions.map((permission) => permission.Properties)).toEqual(
        [ruleId, dailyRuleId].map((id) => ({
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
          Principal: 'events.amazonaws.com',
          SourceArn: { 'Fn::GetAtt': [id, 'Arn'] },
        })),
      );
    });

    it('runs the freshness check once a day, so the drill alarm always has a value to read', () => {
      const daily = resources[dailyRuleId] as Resource;
      expect(daily.Properties?.ScheduleExpression).toBe('rate(1 day)');
      expect((daily.Properties?.Targets as { Arn: unknown }[]).map((target) => target.Arn)).toEqual([
        { 'Fn::GetAtt': [functionId, 'Arn'] },
      ]);
    });

    it('tells the function which plan is its own and the RTO', () => {
      const fn = resources[functionId] as Resource;
      expect((fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
        RESTORE_TESTING_PLAN_ARN: { 'Fn::GetAtt': [planId, 'RestoreTestingPlanArn'] },
        RTO_MINUTES: String(config.database.recoveryObjectives.rtoMinutes),
        ENVIRONMENT_NAME: 'prod',
      });
    });
  });

  describe('the validation function’s role', () => {
    const statements = statementsOf(validatorRoleId);
    const actions = statements.flatMap((statement) => actionsOf(statement as never));

    it('may describe and list restore jobs and report validation results, and nothing else of AWS Backup', () => {
      expect(actions.filter((action) => action.startsWith('backup:')).sort()).toEqual([
        'backup:DescribeRestoreJob',
        'backup:ListRestoreJobs',
        'backup:PutRestoreValidationResult',
      ]);
    });

    it('has no RDS permission at all', () => {
      expect(actions.filter((action) => action.startsWith('rds'))).toEqual([]);
    });

    it('reads only the master secret', () => {
      const secretReads = statements.filter((statement) =>
        actionsOf(statement as never).includes('secretsmanager:GetSecretValue'),
      );
      expect(secretReads.map((statement) => statement.Resource)).toEqual([
        data.resolve(data.masterSecret.secretArn),
      ]);
    });
  });

  it('builds the restore drills on the daily plan the recovery objectives assume', () => {
    const [, backupPlan] = onlyResource(template, 'AWS::Backup::BackupPlan');
    const rules = (backupPlan.Properties?.BackupPlan as { BackupPlanRule: Record<string, unknown>[] })
      .BackupPlanRule;
    expect(rules).toEqual([
      expect.objectContaining({
        ScheduleExpression: DAILY_BACKUP_PLAN.scheduleExpression,
        StartWindowMinutes: DAILY_BACKUP_PLAN.startWindowHours * 60,
        CompletionWindowMinutes: DAILY_BACKUP_PLAN.completionWindowHours * 60,
      }),
    ]);
  });
});

describe('restoreScheduleExpression', () => {
  /** Days (UTC) in 2026–2029 a cron day-of-month/day-of-week pair fires on. */
  function firingDays(expression: string): number[] {
    const [, , dayOfMonth, , dayOfWeek] =
      /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression)?.slice(0) ?? [];
    const days: number[] = [];
    for (let time = Date.UTC(2026, 0, 1); time < Date.UTC(2030, 0, 1); time += 86_400_000) {
      const date = new Date(time);
      let fires: boolean;
      if (dayOfWeek === 'SUN') fires = date.getUTCDay() === 0;
      else if (dayOfMonth === '*') fires = true;
      else {
        const [start, step] = (dayOfMonth ?? '').split('/').map(Number);
        fires = (date.getUTCDate() - (start ?? 1)) % (step ?? 1) === 0;
      }
      if (fires) days.push(time / 86_400_000);
    }
    return days;
  }

  it('never leaves more than everyDays between two drills, over month ends and leap years', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 0, max: 23 }), (everyDays, hour) => {
        const days = firingDays(restoreScheduleExpression(everyDays, hour));
        const gaps = days.slice(1).map((day, index) => day - (days[index] as number));
        expect(Math.max(...gaps)).toBeLessThanOrEqual(everyDays);
      }),
      { numRuns: 40 },
    );
  });

  it('starts at the configured hour', () => {
    expect(restoreScheduleExpression(14, 6)).toBe('cron(0 6 1/14 * ? *)');
  });
});

describe('RestoreDrillAlarms', () => {
  const stack = new Stack(new App(), 'Alarms', { env: { account: '111111111111', region: 'eu-west-1' } });
  const topic = new Topic(stack, 'Topic');
  const metric = (name: string) => new Metric({ namespace: 'Citadel/dev', metricName: name });
  new RestoreDrillAlarms(stack, 'Drills', {
    topic,
    failedMetric: metric('RestoreValidationFailed'),
    restoreMinutesMetric: metric('RestoreDurationMinutes'),
    validatorErrors: metric('Errors'),
    rtoMinutes: 240,
    daysSinceSuccessMetric: new Metric({
      namespace: 'Citadel/dev',
      metricName: 'DaysSinceSuccessfulDrill',
      period: Duration.days(1),
    }),
    everyDays: 7,
  });
  const alarms = Object.values(resourcesOf(Template.fromStack(stack), 'AWS::CloudWatch::Alarm')).map(
    (alarm) => alarm.Properties as Record<string, unknown>,
  );
  const topicId = stack.getLogicalId(topic.node.defaultChild as never);

  it.each([
    ['a failed validation', 'RestoreValidationFailed', 0],
    ['a restore slower than the RTO', 'RestoreDurationMinutes', 240],
    ['a validation function error', 'Errors', 0],
  ])('notifies the operations topic on %s', (_, metricName, threshold) => {
    expect(alarms).toContainEqual(
      expect.objectContaining({
        MetricName: metricName,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId }],
      }),
    );
  });
});
