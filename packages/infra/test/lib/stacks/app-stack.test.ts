import { poolOptionsFromEnvironment } from '@citadel/functions';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { deploymentOf, ENVIRONMENT_NAMES, loadEnvironmentConfig } from '../../../config/index.js';
import { API_CONTAINER_USER } from '../../../lib/constructs/api-service.js';
import { MANAGED_RULE_GROUPS, WAF_LOG_GROUP_PREFIX } from '../../../lib/constructs/web-acl.js';
import { STACK_LAYERS, type StackLayer } from '../../../lib/stacks/citadel-stack.js';
import { synthesizedApp, type SynthesizedApp } from '../../support/synthesized-app.js';
import {
  actionsOf,
  exportedValue,
  onlyResource,
  policyStatements,
  resourcesOf,
  type Resource,
} from '../../support/template-queries.js';

const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);
const SECRET_LOOKING_NAME = /(SECRET|PASSWORD|TOKEN|PRIVATE|CREDENTIAL|API_KEY)/i;

let citadel: SynthesizedApp;

beforeAll(() => {
  citadel = synthesizedApp();
});

function layersOf(environment: string): StackLayer[] {
  const stage = citadel.stage(environment);
  return STACK_LAYERS.filter((layer) => stage.node.tryFindChild(layer) !== undefined);
}

function statementsFor(
  environment: string,
  layer: StackLayer,
  roleLogicalId: string,
): Record<string, unknown>[] {
  const template = citadel.template(environment, layer);
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties?.Roles ?? []).includes(`"Ref":"${roleLogicalId}"`))
    .flatMap(
      (policy) => (policy.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
}

/** The API's task definition; the scheduled jobs have their own. */
function apiTaskDefinition(template: Template): [string, { Properties?: Record<string, unknown> }] {
  const tasks = Object.entries(
    template.findResources('AWS::ECS::TaskDefinition') as Record<
      string,
      { Properties?: Record<string, unknown> }
    >,
  ).filter(([logicalId]) => logicalId.startsWith('ApiTask'));
  if (tasks.length !== 1) throw new Error(`expected exactly one API task definition, found ${tasks.length}`);
  return tasks[0] as [string, { Properties?: Record<string, unknown> }];
}

describe.each(ENVIRONMENT_NAMES)('app stack of %s', (environment) => {
  const config = loadEnvironmentConfig(environment);
  const app = () => citadel.template(environment, 'app');

  describe('API service', () => {
    it('runs the task as the image non-root user with a read-only root filesystem, a tmp volume and a /health check', () => {
      // Prepare
      const [, task] = apiTaskDefinition(app());

      // Act
      const containers = task.Properties?.ContainerDefinitions as Record<string, unknown>[];

      // Assess
      expect(containers).toHaveLength(1);
      const container = containers[0] as Record<string, unknown>;
      expect(container.User).toBe(API_CONTAINER_USER);
      expect(container.ReadonlyRootFilesystem).toBe(true);
      expect(container.MountPoints).toEqual([
        { ContainerPath: '/tmp', ReadOnly: false, SourceVolume: 'tmp' },
      ]);
      expect(task.Properties?.Volumes).toEqual([{ Name: 'tmp' }]);
      expect(container.PortMappings).toEqual([{ ContainerPort: 8080, Protocol: 'tcp' }]);
      expect(JSON.stringify((container.HealthCheck as { Command: string[] }).Command)).toContain(
        "fetch('http://127.0.0.1:8080/health')",
      );
      expect(task.Properties?.Cpu).toBe(String(config.service.cpu));
      expect(task.Properties?.Memory).toBe(String(config.service.memoryMiB));
    });

    it('puts no secret value in the task definition: settings are plain, secrets only from Secrets Manager', () => {
      // Prepare
      const [, task] = apiTaskDefinition(app());
      const container = (task.Properties?.ContainerDefinitions as Record<string, unknown>[])[0] as Record<
        string,
        unknown
      >;

      // Act
      const environmentVariables = container.Environment as { Name: string; Value: unknown }[];
      const secrets = (container.Secrets ?? []) as { ValueFrom: unknown }[];

      // Assess
      expect(
        environmentVariables
          .map((variable) => variable.Name)
          .filter((name) => SECRET_LOOKING_NAME.test(name)),
      ).toEqual([]);
      expect(
        Object.fromEntries(environmentVariables.map((variable) => [variable.Name, variable.Value])),
      ).toMatchObject({
        NODE_ENV: 'production',
        PORT: '8080',
        DB_AUTH: 'iam',
        DB_NAME: 'citadel',
        DB_USER: 'citadel_app',
        DB_CA_BUNDLE_PATH: '/etc/ssl/certs/rds-global-bundle.pem',
        AWS_REGION: config.region,
        PAYMENTS_QUEUE_URL: { Ref: expect.stringMatching(/^PaymentsQueue/) },
      });
      for (const secret of secrets) expect(JSON.stringify(secret.ValueFrom)).toContain('secretsmanager');
      expect(JSON.stringify(task)).not.toMatch(/"(Password|SecretString)"/);
    });

    it('pulls the image from the shared repository by the deploy-time tag', () => {
      // Prepare
      const [, task] = apiTaskDefinition(app());

      // Act
      const image = JSON.stringify(
        (task.Properties?.ContainerDefinitions as Record<string, unknown>[])[0]?.Image,
      );

      // Assess
      expect(image).toContain('citadel-' + environment + '-shared');
      expect(image).toContain(':synth-placeholder');
    });

    it('uses a task role separate from the execution role', () => {
      // Prepare
      const [, task] = apiTaskDefinition(app());

      // Act
      const taskRole = JSON.stringify(task.Properties?.TaskRoleArn);
      const executionRole = JSON.stringify(task.Properties?.ExecutionRoleArn);

      // Assess
      expect(taskRole).toMatch(/ApiTaskRole/);
      expect(executionRole).toMatch(/ApiExecutionRole/);
      expect(taskRole).not.toBe(executionRole);
    });

    it('lets the task role connect to the database as citadel_app by DbiResourceId, send to the payments queue, read the identity provider keys and nothing else', () => {
      // Prepare
      const roleId = Object.keys(resourcesOf(app(), 'AWS::IAM::Role')).find((id) =>
        id.startsWith('ApiTaskRole'),
      );
      expect(roleId).toBeDefined();

      // Act
      const statements = statementsFor(environment, 'app', roleId as string);

      // Assess
      expect(statements.flatMap(actionsOf).sort()).toEqual([
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'rds-db:connect',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
        'ssm:GetParameter',
      ]);
      const read = statements.find((statement) => actionsOf(statement).includes('ssm:GetParameter'));
      expect(read?.Resource).toEqual({
        'Fn::Join': [
          '',
          [
            `arn:aws:ssm:${config.region}:${config.account}:parameter`,
            { Ref: expect.stringMatching(/^JwksMirrorParameter/) },
          ],
        ],
      });
      const connect = statements.find((statement) => actionsOf(statement).includes('rds-db:connect'));
      const [separator, parts] = (connect?.Resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      expect(separator).toBe('');
      expect(parts[0]).toBe(`arn:aws:rds-db:${config.region}:${config.account}:dbuser:`);
      expect(parts[2]).toBe('/citadel_app');
      const resourceId = exportedValue(parts[1], citadel.template(environment, 'data'));
      expect(resourceId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Postgres/), 'DbiResourceId'] });
      const send = statements.find((statement) => actionsOf(statement).includes('sqs:SendMessage'));
      expect(send?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PaymentsQueue/), 'Arn'] });
    });

    it('rolls back a failed deployment (circuit breaker when rolling, alarms otherwise), keeps 100% healthy, and gives tasks no public IP', () => {
      // Prepare
      const [, service] = onlyResource(app(), 'AWS::ECS::Service');

      // Act
      const properties = service.Properties ?? {};

      // Assess
      expect(properties.DeploymentConfiguration).toMatchObject({
        ...(deploymentOf(config).strategy === 'rolling'
          ? { DeploymentCircuitBreaker: { Enable: true, Rollback: true } }
          : { Alarms: { Enable: true, Rollback: true } }),
        MinimumHealthyPercent: 100,
      });
      expect(properties.NetworkConfiguration).toMatchObject({
        AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' },
      });
      expect(properties.LaunchType).toBe('FARGATE');
      expect(properties).not.toHaveProperty('DesiredCount');
      expect(properties.EnableExecuteCommand).toBe(config.features.ecsExec);
      expect(JSON.stringify(service.DependsOn ?? [])).toMatch(/DatabaseBootstrap/);
    });

    it('scales between the configured bounds on CPU and on ALB requests per target (of both target groups under a traffic-shifting release)', () => {
      // Prepare
      const template = app();

      // Act
      const [, target] = onlyResource(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
      const policies = Object.values(resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalingPolicy')).map(
        (policy) => policy.Properties?.TargetTrackingScalingPolicyConfiguration as Record<string, unknown>,
      );

      // Assess
      expect(target.Properties).toMatchObject({
        MinCapacity: config.service.minTasks,
        MaxCapacity: config.service.maxTasks,
      });
      expect(policies).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
            TargetValue: config.service.cpuTargetPercent,
          }),
          // Rolling: the predefined per-target metric of the one group. A traffic-shifting
          // release moves production traffic between two groups, so the metric divides both
          // groups' requests by both groups' healthy targets instead.
          deploymentOf(config).strategy === 'rolling'
            ? expect.objectContaining({
                PredefinedMetricSpecification: expect.objectContaining({
                  PredefinedMetricType: 'ALBRequestCountPerTarget',
                }),
                TargetValue: config.service.requestsPerTarget,
              })
            : expect.objectContaining({
                CustomizedMetricSpecification: {
                  Metrics: expect.arrayContaining([
                    expect.objectContaining({
                      Id: 'requestsPerTarget',
                      ReturnData: true,
                      Expression:
                        '(FILL(requests0, 0) + FILL(requests1, 0)) / (FILL(healthy0, 0) + FILL(healthy1, 0))',
                    }),
                  ]),
                },
                TargetValue: config.service.requestsPerTarget,
              }),
        ]),
      );
    });

    it('turns Container Insights on as config says', () => {
      app().hasResourceProperties('AWS::ECS::Cluster', {
        ClusterSettings: [
          { Name: 'containerInsights', Value: config.features.containerInsights ? 'enhanced' : 'disabled' },
        ],
      });
    });
  });

  describe('edge', () => {
    it('serves HTTPS with a TLS 1.3/1.2 policy and the ACM certificate for the domain', () => {
      // Prepare
      const template = app();

      // Act
      const listeners = Object.values(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener'));

      // Assess
      const testPort = deploymentOf(config).testPort;
      expect(listeners.map((listener) => listener.Properties?.Port).sort()).toEqual(
        [443, 80, ...(testPort === undefined ? [] : [testPort])].sort(),
      );
      const https = listeners.find((listener) => listener.Properties?.Port === 443) as Resource;
      expect(https.Properties?.SslPolicy).toBe('ELBSecurityPolicy-TLS13-1-2-Res-2021-06');
      if (config.dns.provider === 'route53') {
        expect(JSON.stringify(https.Properties?.Certificates)).toMatch(/EdgeCertificate/);
        template.hasResourceProperties('AWS::CertificateManager::Certificate', {
          DomainName: config.edge.domainName,
          ValidationMethod: 'DNS',
          DomainValidationOptions: [
            { DomainName: config.edge.domainName, HostedZoneId: config.dns.hostedZoneId },
          ],
        });
      } else {
        const [certificateId] = onlyResource(template, 'Custom::CitadelCloudflareCertificate');
        expect(https.Properties?.Certificates).toEqual([
          { CertificateArn: { 'Fn::GetAtt': [certificateId, 'CertificateArn'] } },
        ]);
      }
    });

    if (config.dns.provider === 'cloudflare') {
      const cloudflare = config.dns;
      const certificateFunctions = (): Record<'onEvent' | 'isComplete', string> => {
        const functions = Object.values(resourcesOf(app(), 'AWS::Lambda::Function')).filter((fn) =>
          String(fn.Properties?.Description).includes('validated through Cloudflare DNS'),
        );
        const roleOf = (handler: string): string => {
          const fn = functions.find((candidate) => candidate.Properties?.Handler === handler);
          return (fn?.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
        };
        expect(functions).toHaveLength(2);
        for (const fn of functions) expect(fn.Properties?.VpcConfig).toBeUndefined();
        return { onEvent: roleOf('index.handler'), isComplete: roleOf('index.isComplete') };
      };
      const certificates = `arn:aws:acm:${config.region}:${config.account}:certificate/*`;

      it('requests the certificate through a custom resource that writes its validation records at Cloudflare, instead of a certificate waiting for a record nobody creates', () => {
        // Prepare
        const template = app();

        // Act
        const [, resource] = onlyResource(template, 'Custom::CitadelCloudflareCertificate');

        // Assess
        expect(resourcesOf(template, 'AWS::CertificateManager::Certificate')).toEqual({});
        expect(resource.Properties).toMatchObject({
          DomainName: config.edge.domainName,
          ZoneId: cloudflare.zoneId,
          ApiTokenSecretArn: `arn:aws:secretsmanager:${config.region}:${config.account}:secret:${cloudflare.apiTokenSecretName}`,
        });
        expect(resource.Properties?.SubjectAlternativeNames).toBeUndefined();
      });

      it('waits up to 45 minutes for ACM to issue it, polling every 30 s, inside the hour CloudFormation waits, with the waiter logged to a KMS-encrypted group', () => {
        // Prepare
        const template = app();

        // Act
        const [, waiter] = onlyResource(template, 'AWS::StepFunctions::StateMachine');
        const definition = JSON.stringify(waiter.Properties?.DefinitionString);

        // Assess
        expect(definition).toContain('\\"IntervalSeconds\\":30');
        // 45 minutes of the handler's own limit, then two checks of the framework's backstop.
        expect(definition).toContain('\\"MaxAttempts\\":92');
        const [, certificate] = onlyResource(template, 'Custom::CitadelCloudflareCertificate');
        expect(certificate.Properties?.ServiceTimeout).toBe('3600');
        expect(waiter.Properties?.LoggingConfiguration).toMatchObject({ Level: 'ALL' });
        const destination = JSON.stringify(waiter.Properties?.LoggingConfiguration);
        const [groupId] = /CloudflareCertificateProviderWaiterLogs[A-Za-z0-9]+/.exec(destination) ?? [];
        expect(
          resourcesOf(template, 'AWS::Logs::LogGroup')[groupId as string]?.Properties?.KmsKeyId,
        ).toBeDefined();
      });

      it('lets the certificate handler request certificates and list, describe, tag and delete only the certificates of its account and region', () => {
        // Prepare
        const roles = certificateFunctions();

        // Act
        const onEvent = statementsFor(environment, 'app', roles.onEvent);
        const isComplete = statementsFor(environment, 'app', roles.isComplete);
        const acm = (statements: Record<string, unknown>[]) =>
          statements
            .filter((statement) => actionsOf(statement).some((action) => action.startsWith('acm:')))
            .map((statement) => ({ actions: actionsOf(statement).sort(), resource: statement.Resource }));

        // Assess
        expect(acm(onEvent)).toEqual([
          {
            actions: ['acm:AddTagsToCertificate', 'acm:DeleteCertificate', 'acm:DescribeCertificate'],
            resource: certificates,
          },
          { actions: ['acm:ListCertificates', 'acm:RequestCertificate'], resource: '*' },
        ]);
        expect(acm(isComplete)).toEqual([{ actions: ['acm:DescribeCertificate'], resource: certificates }]);
        expect(
          onEvent
            .flatMap(actionsOf)
            .filter((action) => !action.startsWith('acm:'))
            .sort(),
        ).toEqual(['kms:Decrypt', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
        expect(isComplete.flatMap(actionsOf).sort()).toEqual(['acm:DescribeCertificate', 'kms:Decrypt']);
        const secretRead = onEvent.find((statement) =>
          actionsOf(statement).includes('secretsmanager:GetSecretValue'),
        );
        expect(secretRead?.Resource).toBe(
          `arn:aws:secretsmanager:${config.region}:${config.account}:secret:${cloudflare.apiTokenSecretName}-??????`,
        );
      });
    }

    it('only redirects plain HTTP to HTTPS', () => {
      // Prepare
      const listeners = Object.values(resourcesOf(app(), 'AWS::ElasticLoadBalancingV2::Listener'));

      // Act
      const http = listeners.find((listener) => listener.Properties?.Protocol === 'HTTP') as Resource;

      // Assess
      expect(http.Properties?.DefaultActions).toEqual([
        { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
      ]);
      // A rolling API is the HTTPS listener's default; a traffic-shifting one has a production and a test rule.
      expect(Object.keys(resourcesOf(app(), 'AWS::ElasticLoadBalancingV2::ListenerRule'))).toHaveLength(
        deploymentOf(config).strategy === 'rolling' ? 0 : 2,
      );
    });

    it('drops invalid header fields, logs access to S3 and sets deletion protection from config', () => {
      // Prepare
      const [, loadBalancer] = onlyResource(app(), 'AWS::ElasticLoadBalancingV2::LoadBalancer');

      // Act
      const attributes = Object.fromEntries(
        (loadBalancer.Properties?.LoadBalancerAttributes as { Key: string; Value: string }[]).map((a) => [
          a.Key,
          a.Value,
        ]),
      );

      // Assess
      expect(loadBalancer.Properties?.Scheme).toBe('internet-facing');
      expect(attributes).toMatchObject({
        'routing.http.drop_invalid_header_fields.enabled': 'true',
        'access_logs.s3.enabled': 'true',
        'deletion_protection.enabled': String(config.edge.albDeletionProtection),
      });
      app().hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
    });

    it('opens only the load balancer security group to the internet, on 443, 80 and the release test port only, across every stack', () => {
      // Prepare
      const openings: { layer: string; group: unknown; ports: [unknown, unknown] }[] = [];

      // Act
      for (const layer of layersOf(environment)) {
        const template = citadel.template(environment, layer);
        for (const [id, group] of Object.entries(resourcesOf(template, 'AWS::EC2::SecurityGroup'))) {
          for (const rule of (group.Properties?.SecurityGroupIngress ?? []) as Record<string, unknown>[]) {
            if (ANYWHERE.has(String(rule.CidrIp ?? rule.CidrIpv6))) {
              openings.push({ layer, group: id, ports: [rule.FromPort, rule.ToPort] });
            }
          }
        }
        for (const rule of Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress'))) {
          const properties = rule.Properties ?? {};
          if (ANYWHERE.has(String(properties.CidrIp ?? properties.CidrIpv6))) {
            openings.push({
              layer,
              group: properties.GroupId,
              ports: [properties.FromPort, properties.ToPort],
            });
          }
        }
      }

      // Assess
      const testPort = deploymentOf(config).testPort;
      const expected: [number, number][] = [
        [443, 443],
        [80, 80],
        ...(testPort === undefined ? [] : [[testPort, testPort] as [number, number]]),
      ];
      expect(openings).toHaveLength(expected.length);
      for (const opening of openings) {
        expect(opening.layer).toBe('app');
        expect(String(opening.group)).toMatch(/^EdgeSecurityGroup/);
      }
      expect(openings.map((opening) => opening.ports).sort()).toEqual(expected.sort());
    });

    it(`publishes the API name through ${config.dns.provider}`, () => {
      // Prepare
      const template = app();

      // Act
      const records = resourcesOf(template, 'AWS::Route53::RecordSet');
      const cloudflare = resourcesOf(template, 'Custom::CitadelCloudflareDnsRecords');

      // Assess
      if (config.dns.provider === 'route53') {
        expect(Object.values(records)).toHaveLength(1);
        expect(Object.values(records)[0]?.Properties).toMatchObject({
          HostedZoneId: config.dns.hostedZoneId,
          Name: `${config.edge.domainName}.`,
          Type: 'A',
          AliasTarget: expect.anything(),
        });
        expect(Object.keys(cloudflare)).toEqual([]);
      } else {
        expect(Object.keys(records)).toEqual([]);
        const [resource] = Object.values(cloudflare);
        expect(resource?.Properties).toMatchObject({
          ZoneId: config.dns.zoneId,
          ApiTokenSecretArn: `arn:aws:secretsmanager:${config.region}:${config.account}:secret:${config.dns.apiTokenSecretName}`,
          Records: [
            {
              Name: config.edge.domainName,
              Type: 'CNAME',
              Content: { 'Fn::GetAtt': [expect.stringMatching(/^EdgeLoadBalancer/), 'DNSName'] },
              Proxied: false,
            },
          ],
        });
        const handler = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).find((fn) =>
          String(fn.Properties?.Description).includes('Cloudflare'),
        );
        expect(handler?.Properties?.VpcConfig).toBeUndefined();
      }
    });
  });

  describe('WAF', () => {
    it('evaluates the AWS managed rule groups and a blocking per-IP rate rule from config', () => {
      // Prepare
      const [, webAcl] = onlyResource(app(), 'AWS::WAFv2::WebACL');

      // Act
      const rules = webAcl.Properties?.Rules as Record<string, Record<string, Record<string, unknown>>>[];

      // Assess
      expect(webAcl.Properties?.Scope).toBe('REGIONAL');
      expect(
        rules.flatMap((rule) => {
          const group = rule.Statement?.ManagedRuleGroupStatement;
          return group ? [`${String(group.VendorName)}/${String(group.Name)}`] : [];
        }),
      ).toEqual(MANAGED_RULE_GROUPS.map((group) => `AWS/${group}`));
      const rate = rules.find((rule) => rule.Statement?.RateBasedStatement);
      expect(rate?.Statement?.RateBasedStatement).toEqual({
        Limit: config.edge.wafRateLimitPer5Min,
        AggregateKeyType: 'IP',
      });
      expect(rate?.Action).toEqual({ Block: {} });
      app().hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
        ResourceArn: { Ref: Match.stringLikeRegexp('^EdgeLoadBalancer') },
      });
    });

    it('logs to a KMS-encrypted aws-waf-logs-* group with the Authorization header redacted', () => {
      // Prepare
      const template = app();

      // Act
      const [, logging] = onlyResource(template, 'AWS::WAFv2::LoggingConfiguration');
      const groups = Object.entries(resourcesOf(template, 'AWS::Logs::LogGroup')).filter(([, group]) =>
        String(group.Properties?.LogGroupName).startsWith(WAF_LOG_GROUP_PREFIX),
      );

      // Assess
      expect(groups).toHaveLength(1);
      const [groupId, group] = groups[0] as [string, Resource];
      expect(group.Properties?.LogGroupName).toBe(`${WAF_LOG_GROUP_PREFIX}citadel-${environment}`);
      expect(group.Properties?.KmsKeyId).toBeDefined();
      expect(JSON.stringify(logging.Properties?.LogDestinationConfigs)).toContain(`{"Ref":"${groupId}"}`);
      expect(logging.Properties?.RedactedFields).toContainEqual({ SingleHeader: { Name: 'authorization' } });
    });
  });

  describe('payments pipeline', () => {
    it('encrypts the queue and its dead-letter queue with the messages key and redrives after the configured receives', () => {
      // Prepare
      const queues = resourcesOf(app(), 'AWS::SQS::Queue');

      // Act
      const main = Object.entries(queues).find(([id]) => id.startsWith('PaymentsQueue'))?.[1];

      // Assess
      expect(Object.keys(queues)).toHaveLength(2);
      for (const queue of Object.values(queues)) {
        expect(JSON.stringify(queue.Properties?.KmsMasterKeyId)).toMatch(/MessagesKey/);
      }
      expect(main?.Properties?.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^PaymentsDeadLetterQueue/), 'Arn'] },
        maxReceiveCount: config.payments.maxReceiveCount,
      });
    });

    it('runs the processor on Node.js 22 arm64 in the VPC, environment encrypted, concurrency from config, reporting batch item failures', () => {
      // Prepare
      const template = app();

      // Act
      const processor = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).find(([id]) =>
        id.startsWith('PaymentsProcessor'),
      )?.[1];
      const [, mapping] = onlyResource(template, 'AWS::Lambda::EventSourceMapping');

      // Assess
      expect(processor?.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        ReservedConcurrentExecutions: config.payments.processorReservedConcurrency,
        Environment: {
          Variables: expect.objectContaining({
            DB_NAME: 'citadel',
            DB_USER: 'citadel_processor',
            DB_CA_BUNDLE_PATH: '/var/runtime/ca-cert.pem',
          }),
        },
      });
      expect(JSON.stringify(processor?.Properties?.KmsKeyArn)).toMatch(/FunctionEnvironmentKey/);
      expect((processor?.Properties?.VpcConfig as { SubnetIds: unknown[] }).SubnetIds.length).toBe(
        config.availabilityZones.length,
      );
      expect(mapping.Properties).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        EventSourceArn: { 'Fn::GetAtt': [expect.stringMatching(/^PaymentsQueue/), 'Arn'] },
      });
    });
  });

  describe('payments processor database access', () => {
    function processorResources(): { id: string; fn: Resource; roleId: string } {
      const template = app();
      const [id, fn] = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).find(([logicalId]) =>
        logicalId.startsWith('PaymentsProcessor'),
      ) ?? ['', undefined];
      const role = (fn?.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.[
        'Fn::GetAtt'
      ]?.[0];
      if (!fn || !role) throw new Error('the payments processor function and its role are missing');
      return { id, fn, roleId: role };
    }

    it('lets the processor connect to the database as citadel_processor only', () => {
      // Prepare
      const { roleId } = processorResources();

      // Act
      const connects = statementsFor(environment, 'app', roleId).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('rds-db:') || action === '*'),
      );

      // Assess
      expect(connects).toHaveLength(1);
      const [separator, parts] = (connects[0]?.Resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      expect(separator).toBe('');
      expect(parts[0]).toBe(`arn:aws:rds-db:${config.region}:${config.account}:dbuser:`);
      expect(parts[2]).toBe('/citadel_processor');
    });

    it('gives the processor an environment its pool loader accepts, naming citadel_processor for IAM sign-in', () => {
      // Prepare
      const { fn } = processorResources();
      const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      const environmentOfLambda = Object.fromEntries(
        Object.entries(variables).map(([name, value]) => [
          name,
          typeof value === 'string' ? value : `resolved-${name.toLowerCase()}`,
        ]),
      );

      // Act
      const options = poolOptionsFromEnvironment({
        ...environmentOfLambda,
        DB_PORT: '5432',
        AWS_REGION: config.region,
        AWS_LAMBDA_FUNCTION_NAME: 'payments-processor',
      });

      // Assess
      expect(options).toMatchObject({ kind: 'iam', username: 'citadel_processor', database: 'citadel' });
    });

    it('updates the processor only after the bootstrap has created its database role', () => {
      // Prepare
      const { fn } = processorResources();

      // Act
      const dependsOn = [fn.DependsOn ?? []].flat() as string[];

      // Assess
      expect(dependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^DatabaseBootstrap/)]));
    });
  });

  describe('database bootstrap', () => {
    it('creates citadel_app with the master secret from a handler inside the VPC', () => {
      // Prepare
      const template = app();

      // Act
      const [, bootstrap] = onlyResource(template, 'Custom::CitadelDatabaseBootstrap');
      const handler = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).find(([id]) =>
        id.startsWith('DatabaseBootstrapProviderHandler'),
      )?.[1];

      // Assess
      expect(bootstrap.Properties).toMatchObject({
        DbName: 'citadel',
        AppUser: 'citadel_app',
        ProcessorUser: 'citadel_processor',
        MigrationsFingerprint: expect.stringMatching(/^[a-f0-9]{64}$/),
      });
      expect(
        JSON.stringify(
          exportedValue(bootstrap.Properties?.MasterSecretArn, citadel.template(environment, 'data')),
        ),
      ).toMatch(/Secret/);
      expect(handler?.Properties?.VpcConfig).toBeDefined();
    });
  });

  describe('whole environment', () => {
    it('grants no wildcard action in any policy statement of any stack', () => {
      // Prepare
      const wildcards: string[] = [];

      // Act
      for (const layer of layersOf(environment)) {
        const template = citadel.template(environment, layer);
        // An endpoint policy grants nothing: it bounds what passes the endpoint, by account.
        const endpoints = new Set(Object.keys(resourcesOf(template, 'AWS::EC2::VPCEndpoint')));
        for (const { owner, statement } of policyStatements(template)) {
          if (statement.Effect !== 'Allow' || endpoints.has(owner)) continue;
          for (const action of actionsOf(statement)) {
            if (action === '*' || action.endsWith(':*')) wildcards.push(`${layer}/${owner}: ${action}`);
          }
        }
      }

      // Assess
      expect(wildcards).toEqual([]);
    });

    it('encrypts every queue and every topic with a KMS key', () => {
      // Prepare
      const unencrypted: string[] = [];

      // Act
      for (const layer of layersOf(environment)) {
        const template = citadel.template(environment, layer);
        for (const type of ['AWS::SQS::Queue', 'AWS::SNS::Topic']) {
          for (const [id, resource] of Object.entries(resourcesOf(template, type))) {
            if (resource.Properties?.KmsMasterKeyId === undefined) unencrypted.push(`${layer}/${id}`);
          }
        }
      }

      // Assess
      expect(unencrypted).toEqual([]);
    });

    it('runs every Lambda function on Node.js 22 or newer with an encrypted environment and a KMS-encrypted log group', () => {
      for (const layer of ['app'] as const) {
        const template = citadel.template(environment, layer);
        for (const [id, fn] of Object.entries(resourcesOf(template, 'AWS::Lambda::Function'))) {
          expect(String(fn.Properties?.Runtime), id).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
          expect(fn.Properties?.KmsKeyArn, id).toBeDefined();
        }
        for (const [id, group] of Object.entries(resourcesOf(template, 'AWS::Logs::LogGroup'))) {
          expect(group.Properties?.KmsKeyId, id).toBeDefined();
          expect(group.Properties?.RetentionInDays, id).toBe(config.logRetentionDays);
        }
      }
    });
  });
});
