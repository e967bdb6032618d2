import {
  App,
  Duration,
  Stack,
  Validations,
  aws_backup as backup,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
  aws_kms as kms,
  aws_logs as logs,
  aws_rds as rds,
  aws_sns as sns,
  aws_sqs as sqs,
  aws_wafv2 as wafv2,
} from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { CITADEL_RULE_IDS, CitadelChecks } from '../../lib/compliance/index.js';

const LOAD_BALANCER_ARN =
  'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/fixture/0123456789abcdef';
const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';
const TARGET_GROUP_ARN =
  'arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/fixture/0123456789abcdef';

function fixtureStack(): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'Fixture', { env: { account: '111111111111', region: 'eu-west-1' } });
  return { app, stack };
}

/** Runs Citadel's pack over a one-stack app and returns the violated rule ids (with finding suffixes) for `ruleId`. */
function findings(ruleId: string, build: (stack: Stack) => void): string[] {
  const { app, stack } = fixtureStack();
  build(stack);
  const report = new CitadelChecks().validateScope(app);
  return report.violations
    .map((violation) => violation.ruleName)
    .filter((name) => name === ruleId || name.startsWith(`${ruleId}[`))
    .sort();
}

function httpsListener(stack: Stack, sslPolicy: string | undefined): void {
  new elbv2.CfnListener(stack, 'Https', {
    loadBalancerArn: LOAD_BALANCER_ARN,
    port: 443,
    protocol: 'HTTPS',
    sslPolicy,
    certificates: [{ certificateArn: CERTIFICATE_ARN }],
    defaultActions: [{ type: 'forward', targetGroupArn: TARGET_GROUP_ARN }],
  });
}

function httpListener(stack: Stack, action: elbv2.CfnListener.ActionProperty): elbv2.CfnListener {
  return new elbv2.CfnListener(stack, 'Http', {
    loadBalancerArn: LOAD_BALANCER_ARN,
    port: 80,
    protocol: 'HTTP',
    defaultActions: [action],
  });
}

const REDIRECT_TO_HTTPS: elbv2.CfnListener.ActionProperty = {
  type: 'redirect',
  redirectConfig: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' },
};
const FORWARD: elbv2.CfnListener.ActionProperty = { type: 'forward', targetGroupArn: TARGET_GROUP_ARN };

function endpointVpc(stack: Stack, options: { omit?: string; privateDnsEnabled?: boolean } = {}): ec2.Vpc {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  const services: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
    'ecr.api': ec2.InterfaceVpcEndpointAwsService.ECR,
    'ecr.dkr': ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
    logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    secretsmanager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    kms: ec2.InterfaceVpcEndpointAwsService.KMS,
    sqs: ec2.InterfaceVpcEndpointAwsService.SQS,
    sts: ec2.InterfaceVpcEndpointAwsService.STS,
  };
  for (const [name, service] of Object.entries(services)) {
    if (name === options.omit) continue;
    vpc.addInterfaceEndpoint(name, {
      service,
      privateDnsEnabled: options.privateDnsEnabled ?? true,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
  }
  return vpc;
}

describe('CitadelChecks', () => {
  it('declares one id per rule, all prefixed with the pack name', () => {
    // Prepare
    const pack = new CitadelChecks();

    // Act
    const ids = pack.ruleIds;

    // Assess
    expect(ids).toEqual(CITADEL_RULE_IDS);
    expect(ids).toHaveLength(10);
    expect(ids.every((id) => /^Citadel-[A-Z]+\d$/.test(id))).toBe(true);
  });

  it('fails synth when registered on the app and a resource breaks a rule', () => {
    // Prepare
    const { app, stack } = fixtureStack();
    new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
    Validations.of(app).addPlugins(new CitadelChecks(app));

    // Act
    const synth = (): unknown => app.synth();

    // Assess
    expect(synth).toThrow(/Citadel-KMS1/);
  });

  it('passes synth when the finding is acknowledged next to the construct', () => {
    // Prepare
    const { app, stack } = fixtureStack();
    const queue = new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
    Validations.of(queue).acknowledge({
      id: 'Citadel-KMS1',
      reason: 'Fixture queue carries only synthetic test messages and never leaves this unit test.',
    });
    Validations.of(app).addPlugins(new CitadelChecks(app));

    // Act
    const assembly = app.synth();

    // Assess
    expect(assembly.getStackByName('Fixture').template).toBeDefined();
  });
});

describe('Citadel-ALB1 AlbHttpsListenerTls12', () => {
  it.each([
    elbv2.SslPolicy.RECOMMENDED_TLS,
    elbv2.SslPolicy.TLS13_13,
    elbv2.SslPolicy.FIPS_TLS13_12,
    elbv2.SslPolicy.TLS12,
  ])('passes an HTTPS listener with policy %s', (policy) => {
    expect(findings('Citadel-ALB1', (stack) => httpsListener(stack, policy))).toEqual([]);
  });

  it.each([
    ['no policy (the 2016-08 default)', undefined],
    ['a policy that accepts TLS 1.0', elbv2.SslPolicy.RECOMMENDED],
    ['a TLS 1.3 policy that still accepts TLS 1.1', 'ELBSecurityPolicy-TLS13-1-1-2021-06'],
  ])('fails when the HTTPS listener has %s', (_label, policy) => {
    expect(findings('Citadel-ALB1', (stack) => httpsListener(stack, policy))).toEqual(['Citadel-ALB1']);
  });
});

describe('Citadel-ALB2 AlbHttpListenerRedirectsOnly', () => {
  it('passes an HTTP listener that only redirects to HTTPS', () => {
    expect(findings('Citadel-ALB2', (stack) => httpListener(stack, REDIRECT_TO_HTTPS))).toEqual([]);
  });

  it('fails when the HTTP listener forwards to a target group', () => {
    expect(findings('Citadel-ALB2', (stack) => httpListener(stack, FORWARD))).toEqual(['Citadel-ALB2']);
  });

  it('fails when a rule on the redirecting HTTP listener forwards requests', () => {
    // Prepare
    const build = (stack: Stack): void => {
      const listener = httpListener(stack, REDIRECT_TO_HTTPS);
      new elbv2.CfnListenerRule(stack, 'Rule', {
        listenerArn: listener.ref,
        priority: 1,
        conditions: [{ field: 'path-pattern', values: ['/health'] }],
        actions: [{ type: 'forward', targetGroupArn: TARGET_GROUP_ARN }],
      });
    };

    // Act
    const result = findings('Citadel-ALB2', build);

    // Assess
    expect(result).toEqual(['Citadel-ALB2']);
  });
});

describe('Citadel-RDS1 RdsParameterGroupForcesSsl', () => {
  const postgres = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 });

  it('passes a PostgreSQL parameter group with rds.force_ssl = 1', () => {
    const result = findings('Citadel-RDS1', (stack) => {
      new rds.ParameterGroup(stack, 'Params', {
        engine: postgres,
        parameters: { 'rds.force_ssl': '1' },
      }).bindToInstance({});
    });
    expect(result).toEqual([]);
  });

  it('fails when the parameter group leaves rds.force_ssl off', () => {
    const result = findings('Citadel-RDS1', (stack) => {
      new rds.ParameterGroup(stack, 'Params', {
        engine: postgres,
        parameters: { 'rds.force_ssl': '0' },
      }).bindToInstance({});
    });
    expect(result).toEqual(['Citadel-RDS1']);
  });

  it('fails when a PostgreSQL instance uses the default parameter group', () => {
    const result = findings('Citadel-RDS1', (stack) => {
      new rds.CfnDBInstance(stack, 'Db', {
        engine: 'postgres',
        dbInstanceClass: 'db.t4g.micro',
        allocatedStorage: '20',
      });
    });
    expect(result).toEqual(['Citadel-RDS1']);
  });
});

describe('Citadel-RDS2 RdsInstanceIamAuth', () => {
  it('passes a PostgreSQL instance with IAM authentication', () => {
    const result = findings('Citadel-RDS2', (stack) => {
      new rds.CfnDBInstance(stack, 'Db', {
        engine: 'postgres',
        dbInstanceClass: 'db.t4g.micro',
        allocatedStorage: '20',
        enableIamDatabaseAuthentication: true,
      });
    });
    expect(result).toEqual([]);
  });

  it('fails when IAM authentication is left off', () => {
    const result = findings('Citadel-RDS2', (stack) => {
      new rds.CfnDBInstance(stack, 'Db', {
        engine: 'postgres',
        dbInstanceClass: 'db.t4g.micro',
        allocatedStorage: '20',
      });
    });
    expect(result).toEqual(['Citadel-RDS2']);
  });
});

describe('Citadel-VPC1 PrivateSubnetsUseEndpoints', () => {
  it('passes isolated subnets with every required endpoint and no default route', () => {
    expect(findings('Citadel-VPC1', (stack) => endpointVpc(stack))).toEqual([]);
  });

  it('fails when an endpoint is missing', () => {
    expect(findings('Citadel-VPC1', (stack) => endpointVpc(stack, { omit: 'sqs' }))).toEqual([
      'Citadel-VPC1[MissingEndpoint::sqs]',
    ]);
  });

  it('fails when an interface endpoint has private DNS off', () => {
    const result = findings('Citadel-VPC1', (stack) => endpointVpc(stack, { privateDnsEnabled: false }));
    expect(result).toContain('Citadel-VPC1[PrivateDnsOff::kms]');
    expect(result).toHaveLength(7);
  });

  it('fails when private subnets route to the internet through a NAT gateway', () => {
    // Prepare
    const build = (stack: Stack): void => {
      new ec2.Vpc(stack, 'Vpc', {
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        natGateways: 1,
        subnetConfiguration: [
          { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
          { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        ],
      });
    };

    // Act
    const result = findings('Citadel-VPC1', build);

    // Assess
    expect(result.filter((id) => id.includes('InternetRoute'))).toHaveLength(2);
    expect(result).toContain('Citadel-VPC1[MissingEndpoint::ecr.dkr]');
  });
});

describe('Citadel-WAF1 WebAclHasRateRule', () => {
  function webAcl(stack: Stack, action: wafv2.CfnWebACL.RuleActionProperty | undefined): void {
    const rateRule: wafv2.CfnWebACL.RuleProperty = {
      name: 'rate',
      priority: 0,
      action,
      statement: { rateBasedStatement: { limit: 1000, aggregateKeyType: 'IP' } },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'rate', sampledRequestsEnabled: true },
    };
    new wafv2.CfnWebACL(stack, 'Acl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'acl', sampledRequestsEnabled: true },
      rules: action === undefined ? [] : [rateRule],
    });
  }

  it('passes a web ACL with a blocking rate-based rule', () => {
    expect(findings('Citadel-WAF1', (stack) => webAcl(stack, { block: {} }))).toEqual([]);
  });

  it.each([
    ['has no rate-based rule', undefined],
    ['only counts over-limit requests', { count: {} }],
  ])('fails when the web ACL %s', (_label, action) => {
    expect(findings('Citadel-WAF1', (stack) => webAcl(stack, action))).toEqual(['Citadel-WAF1']);
  });
});

describe('Citadel-BAK1 BackupVaultLocked', () => {
  it('passes a vault with a vault lock', () => {
    const result = findings('Citadel-BAK1', (stack) => {
      new backup.BackupVault(stack, 'Vault', { lockConfiguration: { minRetention: Duration.days(7) } });
    });
    expect(result).toEqual([]);
  });

  it('fails when the vault has no lock', () => {
    const result = findings('Citadel-BAK1', (stack) => {
      new backup.BackupVault(stack, 'Vault');
    });
    expect(result).toEqual(['Citadel-BAK1']);
  });
});

describe('Citadel-LOG1 LogGroupRetentionAndKms', () => {
  it('passes a log group kept three months under a KMS key', () => {
    const result = findings('Citadel-LOG1', (stack) => {
      new logs.LogGroup(stack, 'Logs', {
        retention: logs.RetentionDays.THREE_MONTHS,
        encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      });
    });
    expect(result).toEqual([]);
  });

  it('fails when the log group keeps one month and has no key', () => {
    const result = findings('Citadel-LOG1', (stack) => {
      new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    });
    expect(result).toEqual(['Citadel-LOG1[KmsKey]', 'Citadel-LOG1[Retention]']);
  });
});

describe('Citadel-KMS1 QueueAndTopicCustomerManagedKey', () => {
  it('passes a queue and a topic under a customer-managed key', () => {
    const result = findings('Citadel-KMS1', (stack) => {
      const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key });
      new sns.Topic(stack, 'Topic', { masterKey: key });
    });
    expect(result).toEqual([]);
  });

  it.each<[string, (stack: Stack) => void]>([
    [
      'a queue uses SQS-managed encryption',
      (stack) => new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.SQS_MANAGED }),
    ],
    [
      'a queue uses the AWS-managed key',
      (stack) => new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.KMS_MANAGED }),
    ],
    ['a topic has no key', (stack) => new sns.Topic(stack, 'Topic')],
  ])('fails when %s', (_label, build) => {
    expect(findings('Citadel-KMS1', build)).toEqual(['Citadel-KMS1']);
  });
});

describe('Citadel-ECS1 TaskDefinitionNonRootReadOnly', () => {
  function taskDefinition(stack: Stack, container: Partial<ecs.ContainerDefinitionOptions>): void {
    new ecs.FargateTaskDefinition(stack, 'Task').addContainer('api', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
      ...container,
    });
  }

  it('passes a container with a non-root user and a read-only root filesystem', () => {
    const result = findings('Citadel-ECS1', (stack) =>
      taskDefinition(stack, { user: '1000:1000', readonlyRootFilesystem: true }),
    );
    expect(result).toEqual([]);
  });

  it('fails when the container runs as root with a writable root filesystem', () => {
    const result = findings('Citadel-ECS1', (stack) => taskDefinition(stack, { user: 'root' }));
    expect(result).toEqual(['Citadel-ECS1[api::RootUser]', 'Citadel-ECS1[api::WritableRootFilesystem]']);
  });

  it('fails when the container names no user', () => {
    const result = findings('Citadel-ECS1', (stack) =>
      taskDefinition(stack, { readonlyRootFilesystem: true }),
    );
    expect(result).toEqual(['Citadel-ECS1[api::RootUser]']);
  });
});
