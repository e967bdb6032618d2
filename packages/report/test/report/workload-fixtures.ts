import { App, CfnResource, Stack, Stage, Validations } from 'aws-cdk-lib';
import { TemplateIndex } from '../../src/report/template-index.js';
import { acknowledgmentsOf } from '../../src/report/workloads-section.js';
import type { IsAcknowledged } from '../../src/report/workload-iam.js';

type Json = Record<string, unknown>;

const env = { account: '111111111111', region: 'eu-west-1' };
const ACK_REASON = 'Fixture: the statement needs a wildcard and the reason says why in detail.';

/** A hand-made environment: an `app` stack with workloads, a `monitoring` stack with their alarms. */
export class FixtureEnvironment {
  readonly app = new App();
  readonly stage = new Stage(this.app, 'fixture', { env });
  readonly appStack = new Stack(this.stage, 'app');
  readonly monitoring = new Stack(this.stage, 'monitoring');
  private readonly logsKey = this.resource(this.appStack, 'LogsKey', 'AWS::KMS::Key', {
    KeyPolicy: { Statement: [] },
  });
  private readonly cluster = this.resource(this.appStack, 'Cluster', 'AWS::ECS::Cluster', {});

  constructor() {
    this.monitoring.addDependency(this.appStack);
  }

  resource(stack: Stack, id: string, type: string, properties: Json): CfnResource {
    const resource = new CfnResource(stack, id, { type, properties });
    resource.overrideLogicalId(id);
    return resource;
  }

  /** Tags as CloudFormation writes them: a `{ Key, Value }` list, or a map. */
  static tags(name: string, kind: string, shape: 'list' | 'map' = 'list'): unknown {
    return shape === 'map'
      ? { 'citadel:workload': name, 'citadel:workload-kind': kind }
      : [
          { Key: 'citadel:workload', Value: name },
          { Key: 'citadel:workload-kind', Value: kind },
        ];
  }

  /** A log group of the app stack: KMS-encrypted and kept 90 days unless told otherwise. */
  logGroup(id: string, tags: unknown, options: { kms?: boolean; retentionDays?: number } = {}): CfnResource {
    return this.resource(this.appStack, id, 'AWS::Logs::LogGroup', {
      ...(options.kms === false ? {} : { KmsKeyId: this.logsKey.getAtt('Arn') }),
      RetentionInDays: options.retentionDays ?? 90,
      Tags: tags,
    });
  }

  /** A role of the workload with one attached policy of `statements`; returns the policy. */
  role(id: string, tags: unknown, principal: string, statements: readonly Json[]): CfnResource {
    const role = this.resource(this.appStack, id, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Effect: 'Allow', Principal: { Service: principal }, Action: 'sts:AssumeRole' }],
      },
      Tags: tags,
    });
    return this.resource(this.appStack, `${id}Policy`, 'AWS::IAM::Policy', {
      PolicyName: `${id}Policy`,
      PolicyDocument: { Version: '2012-10-17', Statement: statements },
      Roles: [role.ref],
    });
  }

  /** Acknowledges a rule finding on a construct the way Citadel's constructs do. */
  static acknowledge(resource: CfnResource, ruleId: string): void {
    Validations.of(resource).acknowledge({ id: ruleId, reason: ACK_REASON });
  }

  /**
   * A container service workload: task definition, ECS service, log group, task role
   * (signing in to the database as `<name with _>`), and a CPU alarm in the monitoring stack.
   */
  service(
    name: string,
    options: {
      user?: string | null;
      readOnly?: boolean;
      kms?: boolean;
      retentionDays?: number;
      alarm?: 'monitoring' | 'app' | 'none';
      assignPublicIp?: string | null;
      tags?: 'list' | 'map';
      statements?: readonly Json[];
    } = {},
  ): { policy: CfnResource } {
    const id = name.replace(/[^A-Za-z0-9]/g, '') || 'Hostile';
    const tags = FixtureEnvironment.tags(name, 'service', options.tags);
    const logs = this.logGroup(`${id}Logs`, tags, options);
    const policy = this.role(
      `${id}TaskRole`,
      tags,
      'ecs-tasks.amazonaws.com',
      options.statements ?? [
        {
          Effect: 'Allow',
          Action: 'rds-db:connect',
          Resource: `arn:aws:rds-db:eu-west-1:111111111111:dbuser:db-ABC/${id.toLowerCase()}_role`,
        },
      ],
    );
    const container: Json = {
      Name: 'main',
      Image: 'example.invalid/image:1',
      ...(options.user === null ? {} : { User: options.user ?? '65532:65532' }),
      ReadonlyRootFilesystem: options.readOnly ?? true,
      LogConfiguration: { LogDriver: 'awslogs', Options: { 'awslogs-group': logs.ref } },
    };
    const task = this.resource(this.appStack, `${id}Task`, 'AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [container],
      NetworkMode: 'awsvpc',
      Tags: tags,
    });
    const service = this.resource(this.appStack, `${id}Service`, 'AWS::ECS::Service', {
      Cluster: this.cluster.ref,
      TaskDefinition: task.ref,
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          Subnets: ['subnet-1'],
          ...(options.assignPublicIp === null
            ? {}
            : { AssignPublicIp: options.assignPublicIp ?? 'DISABLED' }),
        },
      },
      Tags: tags,
    });
    const alarmStack = options.alarm === 'app' ? this.appStack : this.monitoring;
    if (options.alarm !== 'none') {
      this.resource(alarmStack, `${id}CpuAlarm`, 'AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Dimensions: [
          { Name: 'ClusterName', Value: this.cluster.ref },
          { Name: 'ServiceName', Value: service.getAtt('Name') },
        ],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 85,
        EvaluationPeriods: 3,
        Period: 300,
        Statistic: 'Average',
      });
    }
    return { policy };
  }

  /** A scheduled job: task definition started by an EventBridge Scheduler schedule, alarmed on its success metric. */
  job(name: string): void {
    const id = name.replace(/[^A-Za-z0-9]/g, '');
    const tags = FixtureEnvironment.tags(name, 'job');
    const logs = this.logGroup(`${id}Logs`, tags);
    this.role(`${id}TaskRole`, tags, 'ecs-tasks.amazonaws.com', [
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:111111111111:q' },
    ]);
    const task = this.resource(this.appStack, `${id}Task`, 'AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        {
          Name: 'job',
          User: '1000',
          ReadonlyRootFilesystem: 'true',
          LogConfiguration: { LogDriver: 'awslogs', Options: { 'awslogs-group': logs.ref } },
        },
      ],
      Tags: tags,
    });
    this.resource(this.appStack, `${id}Schedule`, 'AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: this.cluster.getAtt('Arn'),
        RoleArn: 'arn:aws:iam::111111111111:role/scheduler',
        EcsParameters: {
          TaskDefinitionArn: task.ref,
          NetworkConfiguration: {
            AwsvpcConfiguration: { AssignPublicIp: 'DISABLED', Subnets: ['subnet-1'] },
          },
        },
      },
    });
    this.resource(this.appStack, `${id}Succeeded`, 'AWS::Logs::MetricFilter', {
      LogGroupName: logs.ref,
      FilterPattern: '{ $.event = "job_succeeded" }',
      MetricTransformations: [
        { MetricName: `${name}-succeeded`, MetricNamespace: 'Fixture/Jobs', MetricValue: '1' },
      ],
    });
    this.resource(this.monitoring, `${id}NotSucceeding`, 'AWS::CloudWatch::Alarm', {
      Namespace: 'Fixture/Jobs',
      MetricName: `${name}-succeeded`,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      Period: 7200,
      Statistic: 'Sum',
    });
  }

  /** A Lambda function workload (tags as a map), its log group, role with AWS managed policies, and an errors alarm. */
  function(name: string, options: { acknowledgeManagedPolicy?: boolean } = {}): void {
    const id = name.replace(/[^A-Za-z0-9]/g, '');
    const tags = FixtureEnvironment.tags(name, 'function', 'map');
    const logs = this.logGroup(`${id}Logs`, tags);
    const managedArn = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      ],
    };
    const role = this.resource(this.appStack, `${id}Role`, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      },
      ManagedPolicyArns: [managedArn],
      Policies: [
        {
          PolicyName: 'inline',
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Action: 'rds-db:connect',
                Resource: {
                  'Fn::Join': [
                    '',
                    [
                      'arn:aws:rds-db:eu-west-1:111111111111:dbuser:',
                      { 'Fn::ImportValue': 'fixture-data:DbiResourceId' },
                      '/fn_role',
                    ],
                  ],
                },
              },
            ],
          },
        },
      ],
      Tags: tags,
    });
    if (options.acknowledgeManagedPolicy !== false)
      FixtureEnvironment.acknowledge(
        role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      );
    const fn = this.resource(this.appStack, `${id}Function`, 'AWS::Lambda::Function', {
      Role: role.getAtt('Arn'),
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Code: { ZipFile: 'exports.handler = async () => {}' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: logs.ref },
      Tags: tags,
    });
    this.resource(this.monitoring, `${id}Errors`, 'AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: fn.ref }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      Period: 300,
      Statistic: 'Sum',
    });
  }

  /** Synthesizes the stage and indexes its templates, with the acknowledgments its constructs carry. */
  synthesize(): { index: TemplateIndex; isAcknowledged: IsAcknowledged } {
    return {
      index: new TemplateIndex(this.app.synth(), this.stage),
      isAcknowledged: acknowledgmentsOf(this.stage),
    };
  }
}
