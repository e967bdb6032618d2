import { API_LOG_EVENTS } from '@citadel/api/contract';
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import type { CfnScalingPolicy } from 'aws-cdk-lib/aws-applicationautoscaling';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import {
  AlarmBehavior,
  AlternateTarget,
  type CfnService,
  DeploymentLifecycleLambdaTarget,
  DeploymentLifecycleStage,
  DeploymentStrategy,
  ListenerRuleConfiguration,
  type FargateService,
  type FargateServiceProps,
  type ScalableTaskCount,
} from 'aws-cdk-lib/aws-ecs';
import {
  ApplicationListenerRule,
  ApplicationTargetGroup,
  HttpCodeTarget,
  ListenerAction,
  ListenerCondition,
  TargetType,
  type AddApplicationTargetsProps,
  type ApplicationListener,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Grant, PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, MetricFilter, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeOwnRolePolicy } from '../acknowledge.js';
import { functionEntry, NodeFunction } from '../constructs/node-function.js';
import { InvalidPropError } from '../invalid-prop-error.js';
import type { LogPolicy } from '../platform/platform.js';

/** Issuer of the tokens the pre-traffic check signs; the API accepts it with AUTH_PROBE_JWKS. */
export const DEPLOYMENT_CHECK_ISSUER = 'urn:citadel:deployment-check';
/** The API's variable holding the check's public key set (JSON). */
export const AUTH_PROBE_JWKS_VARIABLE = 'AUTH_PROBE_JWKS';
/**
 * Listener rule priority of the API's catch-all route under a progressive strategy: the last
 * rule, after every service's path prefix. ECS shifts traffic by rewriting a rule's weights,
 * and a listener's default action is no rule it can be given.
 */
export const API_CATCH_ALL_PRIORITY = 50_000;

/** Thresholds of the alarms that roll a release back. */
export interface ReleaseAlarmThresholds {
  /** 5xx share of a target group's requests, in percent per minute. */
  readonly error5xxPercent: number;
  readonly p99LatencyMs: number;
  readonly unhealthyTargets: number;
  readonly authFailuresPerMinute: number;
  /** Consecutive one-minute periods over a threshold before an alarm fires. */
  readonly evaluationMinutes: number;
}

/** A release strategy and its shares and times; the shape of an environment's `deployment` config. */
export interface ReleaseSettings {
  readonly strategy: 'rolling' | 'blue-green' | 'canary' | 'linear';
  /** @default - none (canary only) */
  readonly canaryPercent?: number;
  /** @default - none (linear only) */
  readonly stepPercent?: number;
  /** @default - none (canary and linear) */
  readonly stepMinutes?: number;
  /** @default 0 */
  readonly bakeMinutes?: number;
  /** @default - no test listener (rolling) */
  readonly testPort?: number;
  readonly alarms: ReleaseAlarmThresholds;
  /** @default - no pre-traffic check */
  readonly probe?: unknown;
}

/** How one public service is released; each environment's `deployment` config gives one. */
export interface ServiceRelease {
  /** Strategy, shares, times and alarm thresholds (config `deployment`). */
  readonly settings: ReleaseSettings;
  /**
   * The load balancer's test listener, which reaches the new revision before production
   * traffic does. @default - none; required unless the strategy is rolling
   */
  readonly testListener?: ApplicationListener;
  /** Start of every alarm name, unique in the account and region, e.g. `citadel-prod-api`. */
  readonly alarmNamePrefix: string;
  /**
   * Log group whose JSON lines carry the API's `auth_failed` events; gives the release an
   * auth-failure alarm. @default - no auth-failure alarm (the service does not log API events)
   */
  readonly authEventLogGroup?: ILogGroup;
  /**
   * The environment's pre-traffic check; a team service released through it gets a hook that
   * asks its new revision for readiness through the test listener before production moves.
   * @default - no pre-traffic check (the environment pins no probe key, or the strategy is rolling)
   */
  readonly preTrafficCheck?: PreTrafficCheck;
}

const ECS_STRATEGY: Readonly<Record<ReleaseSettings['strategy'], DeploymentStrategy>> = {
  rolling: DeploymentStrategy.ROLLING,
  'blue-green': DeploymentStrategy.BLUE_GREEN,
  canary: DeploymentStrategy.CANARY,
  linear: DeploymentStrategy.LINEAR,
};

/** True when the strategy shifts traffic between two target groups (everything but rolling). */
export function shiftsTraffic(settings: ReleaseSettings | undefined): boolean {
  return settings !== undefined && settings.strategy !== 'rolling';
}

/**
 * The FargateService properties of a release strategy. Rolling keeps the circuit breaker
 * (tasks that never become healthy roll back); the traffic-shifting strategies do not take
 * one, and roll back on their alarms and lifecycle hooks instead.
 */
export function releaseServiceProps(
  settings: ReleaseSettings | undefined,
): Pick<
  FargateServiceProps,
  'deploymentStrategy' | 'bakeTime' | 'canaryConfiguration' | 'linearConfiguration' | 'circuitBreaker'
> {
  if (!settings || !shiftsTraffic(settings)) return { circuitBreaker: { enable: true, rollback: true } };
  const step = settings.stepMinutes === undefined ? undefined : Duration.minutes(settings.stepMinutes);
  return {
    circuitBreaker: undefined,
    deploymentStrategy: ECS_STRATEGY[settings.strategy],
    bakeTime: Duration.minutes(settings.bakeMinutes ?? 0),
    ...(settings.strategy === 'canary'
      ? { canaryConfiguration: { stepPercent: settings.canaryPercent, stepBakeTime: step } }
      : {}),
    ...(settings.strategy === 'linear'
      ? { linearConfiguration: { stepPercent: settings.stepPercent, stepBakeTime: step } }
      : {}),
  };
}

/** Where a service's tasks receive traffic and what watches a release of them. */
export interface ReleasedTargets {
  /** Target group the tasks register with first (ECS's primary). */
  readonly targetGroup: ApplicationTargetGroup;
  /** Target group of the next revision under a traffic-shifting strategy. @default - none (rolling) */
  readonly alternateTargetGroup?: ApplicationTargetGroup;
  /** Role ECS shifts traffic with. @default - none (rolling) */
  readonly trafficRole?: IRole;
  /** Production and test listener rules ECS rewrites. @default - none (rolling) */
  readonly productionRule?: ApplicationListenerRule;
  readonly testRule?: ApplicationListenerRule;
  /** Alarms that roll a release back. @default - none when no release settings are given */
  readonly alarms: readonly Alarm[];
}

/**
 * Puts `service` behind `listener` as `listener.addTargets(id, options)` would, shaped for
 * its release strategy, and arms the release's rollback alarms.
 *
 * Rolling: exactly `listener.addTargets`. Blue-green, canary and linear: the same target
 * group and rule construct paths as `addTargets` (so a running environment that switches
 * strategy keeps its target group and its rule, and traffic never meets an empty group),
 * the rule forwarding by weight to that group and an alternate one, the same rule on the
 * test listener, and a role that lets ECS rewrite exactly those two rules and register
 * tasks in exactly those two groups. Without `options.priority` the service is the
 * listener's catch-all: rolling keeps the default action, the others a last rule.
 */
export function releaseBehindListener(
  scope: Construct,
  service: FargateService,
  listener: ApplicationListener,
  id: string,
  options: Omit<AddApplicationTargetsProps, 'targets'>,
  release: ServiceRelease | undefined,
): ReleasedTargets {
  if (!release || !shiftsTraffic(release.settings)) {
    const targetGroup = listener.addTargets(id, { ...options, targets: [service] });
    return { targetGroup, alarms: release ? armRollback(scope, service, [targetGroup], release) : [] };
  }
  const testListener = release.testListener;
  if (!testListener) {
    throw new InvalidPropError(
      scope.node.path,
      'release.testListener',
      undefined,
      `the ${release.settings.strategy} strategy sends test traffic through the load balancer's test listener; give deployment.testPort`,
    );
  }
  const groupProps = {
    vpc: service.cluster.vpc,
    port: options.port,
    protocol: options.protocol,
    deregistrationDelay: options.deregistrationDelay,
    healthCheck: options.healthCheck,
    targetType: TargetType.IP,
  };
  const targetGroup = new ApplicationTargetGroup(listener, `${id}Group`, groupProps);
  const alternateTargetGroup = new ApplicationTargetGroup(scope, 'AlternateTargets', groupProps);
  const route = {
    priority: options.priority ?? API_CATCH_ALL_PRIORITY,
    conditions: options.conditions ?? [ListenerCondition.pathPatterns(['/*'])],
    // ECS moves these weights; it starts every release from the group that serves now.
    action: ListenerAction.weightedForward([
      { targetGroup, weight: 100 },
      { targetGroup: alternateTargetGroup, weight: 0 },
    ]),
  };
  if (options.priority === undefined) {
    listener.addAction(`${id}NoRoute`, {
      action: ListenerAction.fixedResponse(404, { contentType: 'application/json', messageBody: '{}' }),
    });
  }
  const productionRule = new ApplicationListenerRule(listener, `${id}Rule`, { listener, ...route });
  const testRule = new ApplicationListenerRule(scope, 'TestRule', { listener: testListener, ...route });

  const trafficRole = new Role(scope, 'TrafficShiftRole', {
    assumedBy: new ServicePrincipal('ecs.amazonaws.com'),
    description: 'ECS shifts this service between its two target groups on the production and test rules',
  });
  trafficRole.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['elasticloadbalancing:ModifyRule'],
      resources: [productionRule.listenerRuleArn, testRule.listenerRuleArn],
    }),
  );
  // AmazonECSInfrastructureRolePolicyForLoadBalancers, the permissions ECS documents for
  // shifting traffic, also grants ModifyListener; here only on the two listeners this
  // service's rules live on.
  trafficRole.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['elasticloadbalancing:ModifyListener'],
      resources: [listener.listenerArn, testListener.listenerArn],
    }),
  );
  trafficRole.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      resources: [targetGroup.targetGroupArn, alternateTargetGroup.targetGroupArn],
    }),
  );
  trafficRole.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
      ],
      resources: ['*'],
    }),
  );
  acknowledgeOwnRolePolicy(trafficRole);
  acknowledge(
    trafficRole,
    ['AwsSolutions-IAM5[Resource::*]'],
    'Elastic Load Balancing Describe actions support no resource-level permissions; they only read, and every change this role may make is scoped to two named rules and two named target groups.',
  );

  Annotations.of(service).acknowledgeWarning(
    '@aws-cdk/aws-ecs:shouldUseCircuitBreaker',
    'ECS takes no circuit breaker with blue-green, canary or linear releases; the deployment alarms and the pre-traffic check roll them back, and the new tasks get no production traffic until they are healthy.',
  );
  const taskDefinition = service.taskDefinition;
  const containerName = taskDefinition.defaultContainer?.containerName;
  if (containerName === undefined) {
    throw new InvalidPropError(scope.node.path, 'service', service.node.path, 'give the task a container');
  }
  targetGroup.addTarget(
    service.loadBalancerTarget({
      containerName,
      containerPort: options.port,
      alternateTarget: new AlternateTarget('AlternateTarget', {
        alternateTargetGroup,
        productionListener: ListenerRuleConfiguration.applicationListenerRule(productionRule),
        testListener: ListenerRuleConfiguration.applicationListenerRule(testRule),
        role: trafficRole,
      }),
    }),
  );
  return {
    targetGroup,
    alternateTargetGroup,
    trafficRole,
    productionRule,
    testRule,
    alarms: armRollback(scope, service, [targetGroup, alternateTargetGroup], release),
  };
}

/**
 * One metric over the target groups of a release: `perGroup` for each group, and the highest
 * of them. Under a traffic-shifting strategy the new revision registers in whichever group
 * is not serving (the alternate one on the first release, the primary one on the next), and
 * the old revision keeps most of the traffic during a canary: a sum over both groups would
 * dilute a canary's 5xx rate by the share it does not get. Taking each group's own value and
 * the maximum makes the alarm see the new revision wherever it sits, at its own rate.
 */
function highestOver(
  groups: readonly ApplicationTargetGroup[],
  label: string,
  perGroup: (
    group: ApplicationTargetGroup,
    index: number,
  ) => { expression: string; metrics: Record<string, IMetric> },
): MathExpression {
  const parts = groups.map(perGroup);
  const expressions = parts.map((part) => part.expression);
  return new MathExpression({
    expression: expressions.length === 1 ? (expressions[0] as string) : `MAX([${expressions.join(', ')}])`,
    usingMetrics: Object.assign({}, ...parts.map((part) => part.metrics)) as Record<string, IMetric>,
    label,
    period: Duration.minutes(1),
  });
}

/**
 * The alarms that roll a release back, registered on the service as deployment alarms with
 * ROLLBACK_ON_ALARM: ECS watches them while traffic moves and through the bake time, and
 * puts the old revision back on any of them. Named explicitly, so the service can list them
 * without depending on itself.
 */
function armRollback(
  scope: Construct,
  service: FargateService,
  groups: readonly ApplicationTargetGroup[],
  release: ServiceRelease,
): Alarm[] {
  const thresholds = release.settings.alarms;
  const minute = Duration.minutes(1);
  const prefix = release.alarmNamePrefix;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$/.test(prefix)) {
    throw new InvalidPropError(
      scope.node.path,
      'release.alarmNamePrefix',
      prefix,
      'give letters, digits, ".", "_" or "-"',
    );
  }
  const names: string[] = [];
  const alarm = (
    id: string,
    suffix: string,
    description: string,
    metric: IMetric,
    threshold: number,
    atLeast = false,
  ) => {
    const alarmName = `${prefix}-${suffix}`;
    names.push(alarmName);
    return new Alarm(scope, id, {
      alarmName,
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator: atLeast
        ? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        : ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: thresholds.evaluationMinutes,
      datapointsToAlarm: thresholds.evaluationMinutes,
      // No requests is no evidence against a release: a quiet minute must not roll it back.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  };

  const alarms = [
    alarm(
      'Release5xxAlarm',
      'release-5xx',
      `Rolls a release back: more than ${thresholds.error5xxPercent} % of a target group's requests answered 5xx`,
      highestOver(groups, '5xx % of requests, highest target group', (group, index) => ({
        expression: `100 * FILL(errors${index}, 0) / requests${index}`,
        metrics: {
          [`errors${index}`]: group.metrics.httpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT, {
            period: minute,
          }),
          [`requests${index}`]: group.metrics.requestCount({ period: minute }),
        },
      })),
      thresholds.error5xxPercent,
    ),
    alarm(
      'ReleaseLatencyAlarm',
      'release-p99-latency',
      `Rolls a release back: p99 response time of a target group above ${thresholds.p99LatencyMs} ms`,
      highestOver(groups, 'p99 target response time (ms), highest target group', (group, index) => ({
        expression: `1000 * latency${index}`,
        metrics: {
          [`latency${index}`]: group.metrics.targetResponseTime({ period: minute, statistic: 'p99' }),
        },
      })),
      thresholds.p99LatencyMs,
    ),
    alarm(
      'ReleaseUnhealthyAlarm',
      'release-unhealthy-targets',
      `Rolls a release back: ${thresholds.unhealthyTargets} or more unhealthy targets in a target group`,
      highestOver(groups, 'unhealthy targets, highest target group', (group, index) => ({
        expression: `unhealthy${index}`,
        metrics: {
          [`unhealthy${index}`]: group.metrics.unhealthyHostCount({ period: minute, statistic: 'Maximum' }),
        },
      })),
      thresholds.unhealthyTargets,
      true,
    ),
  ];
  if (release.authEventLogGroup) {
    // Both revisions log to the one group, and a metric filter cannot tell them apart; the
    // threshold is a burst far above the steady rate, which during a release is the new
    // revision rejecting tokens the old one accepted.
    const filter = new MetricFilter(scope, 'ReleaseAuthFailedFilter', {
      logGroup: release.authEventLogGroup,
      filterPattern: FilterPattern.stringValue('$.event', '=', API_LOG_EVENTS.authFailed),
      metricNamespace: 'Citadel/Releases',
      metricName: `${prefix}-auth-failed`,
      metricValue: '1',
      defaultValue: 0,
    });
    alarms.push(
      alarm(
        'ReleaseAuthFailuresAlarm',
        'release-auth-failures',
        `Rolls a release back: more than ${thresholds.authFailuresPerMinute} ${API_LOG_EVENTS.authFailed} events a minute`,
        filter.metric({ period: minute, statistic: 'Sum' }),
        thresholds.authFailuresPerMinute,
      ),
    );
  }
  for (const each of alarms) {
    acknowledge(
      each,
      ['HIPAA.Security-CloudWatchAlarmAction', 'NIST.800.53.R5-CloudWatchAlarmAction'],
      'This alarm acts through ECS: the service lists it as a deployment alarm with rollback, so ALARM during a release puts the previous revision back; the monitoring stack notifies people.',
    );
  }
  service.enableDeploymentAlarms(names, { behavior: AlarmBehavior.ROLLBACK_ON_ALARM });
  for (const each of alarms) service.node.addDependency(each);
  return alarms;
}

export interface PreTrafficCheckProps {
  /** The API service, whose new revision gets the API's check (readiness and an authenticated read). */
  readonly service: FargateService;
  /** The URL of the test listener, `https://<domain>:<test port>`. */
  readonly testBaseUrl: string;
  /** Secret holding the check's private JWK as JSON. */
  readonly probeKeySecret: ISecret;
  /** Key the secret is encrypted with. @default - the AWS managed key of Secrets Manager */
  readonly probeKeySecretKey?: IKey;
  /** The API's audience, which the check's token names. */
  readonly audience: string;
  readonly functionEnvironmentKey: IKey;
  readonly logPolicy: LogPolicy;
}

/** What a team service's hook asks for: readiness at its own health path, on its own host when it has one. */
export interface ReadinessTarget {
  readonly healthPath: string;
  /** @default - the API's domain (the service is routed by path) */
  readonly host?: string;
}

/**
 * The pre-traffic check of an environment: one Lambda function ECS runs at
 * POST_TEST_TRAFFIC_SHIFT, when the test listener already reaches the new revision and
 * production traffic does not. Each service's hook tells it what to check through the hook's
 * details (ECS passes them on every invocation): the API's hook asks for readiness and a read
 * with a token signed by the check's own key; a team service's hook asks for readiness at its
 * own health path. A failure stops the release before any user reaches it.
 *
 * Reachability: the function runs outside the VPC. The load balancer is internet-facing,
 * so its DNS name resolves to public addresses only, and the private subnets have no route
 * to those (no NAT); a function in the VPC could not call `https://<domain>:<port>`. Outside
 * the VPC it reaches the public endpoint; see LoadBalancedEdge for why the test port admits
 * what 443 admits.
 */
export class PreTrafficCheck extends Construct {
  readonly function: LambdaFunction;
  /** The role ECS invokes the check with: lambda:InvokeFunction on this function only. */
  readonly invokeRole: Role;
  /** The services whose releases this check runs for. */
  private readonly checked = new Set<FargateService>();

  constructor(scope: Construct, id: string, props: PreTrafficCheckProps) {
    super(scope, id);
    if (!/^https:\/\/[a-z0-9.-]+:\d{2,5}$/.test(props.testBaseUrl)) {
      throw new InvalidPropError(
        this.node.path,
        'testBaseUrl',
        props.testBaseUrl,
        'give https://<domain>:<test port>',
      );
    }
    const check = new NodeFunction(this, 'Function', {
      entry: functionEntry('deployment-check'),
      description: 'Calls a new service revision through the test listener before production traffic moves',
      environmentKey: props.functionEnvironmentKey,
      logPolicy: props.logPolicy,
      reservedConcurrentExecutions: 2,
      timeout: Duration.seconds(60),
      environment: {
        TEST_BASE_URL: props.testBaseUrl,
        PROBE_KEY_SECRET_ARN: props.probeKeySecret.secretArn,
        PROBE_AUDIENCE: props.audience,
        PROBE_ISSUER: DEPLOYMENT_CHECK_ISSUER,
      },
    });
    this.function = check.function;
    // A secret imported by name has a partial ARN; the six characters are the suffix AWS adds.
    Grant.addToPrincipal({
      grantee: this.function,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [`${props.probeKeySecret.secretArn}-??????`],
    });
    if (props.probeKeySecretKey) {
      Grant.addToPrincipal({
        grantee: this.function,
        actions: ['kms:Decrypt'],
        resourceArns: [props.probeKeySecretKey.keyArn],
      }).principalStatement?.addCondition('StringEquals', {
        'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com`,
      });
    }

    this.invokeRole = new Role(this, 'InvokeRole', {
      assumedBy: new ServicePrincipal('ecs.amazonaws.com'),
      description: 'ECS runs the pre-traffic check of a release',
    });
    this.invokeRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
    );
    acknowledgeOwnRolePolicy(this.invokeRole);
    this.hook(props.service, { check: 'api' });

    acknowledge(
      this.function,
      ['HIPAA.Security-LambdaInsideVPC', 'NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'],
      "The check must call the internet-facing load balancer's test listener by its public name, which the isolated subnets have no route to; it reads only its own signing key and no data.",
    );
    acknowledge(
      this.function,
      ['HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'PCI.DSS.321-LambdaDLQ'],
      'ECS invokes the check synchronously and reads its answer; a failed invocation fails the release step, so there is no event for a dead-letter queue to keep.',
    );
  }

  /**
   * Checks every release of a team's service: readiness of the new revision at its health path
   * through the test listener, before production traffic moves. No token is sent: a team's
   * service accepts the API's tokens, not the check's.
   */
  checkReadiness(service: FargateService, target: ReadinessTarget): void {
    if (!/^(\/|(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,62}){1,8})$/.test(target.healthPath)) {
      throw new InvalidPropError(
        service.node.path,
        'healthPath',
        target.healthPath,
        'give / or a path of letters, digits, "-", "_", "." and "~" segments (none starting with "."), such as /orders/health',
      );
    }
    this.hook(service, {
      check: 'readiness',
      healthPath: target.healthPath,
      ...(target.host === undefined ? {} : { host: target.host }),
    });
  }

  /**
   * The service's one lifecycle hook: this function at POST_TEST_TRAFFIC_SHIFT, invoked with
   * the shared invoke role, with `details` as the hook's HookDetails (CDK's hook target has no
   * property for them, so they are set on the rendered hook, which is the service's only one).
   */
  private hook(service: FargateService, details: Readonly<Record<string, string>>): void {
    if (this.checked.has(service)) {
      throw new InvalidPropError(service.node.path, 'service', service.node.path, 'check a service once');
    }
    this.checked.add(service);
    // One CloudFormation update can release every checked service at once; none may be throttled.
    (this.function.node.defaultChild as CfnFunction).reservedConcurrentExecutions = Math.max(
      2,
      this.checked.size + 1,
    );
    service.addLifecycleHook(
      new DeploymentLifecycleLambdaTarget(this.function, 'PreTrafficCheck', {
        lifecycleStages: [DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
        role: this.invokeRole,
      }),
    );
    (service.node.defaultChild as CfnService).addPropertyOverride(
      'DeploymentConfiguration.LifecycleHooks.0.HookDetails',
      details,
    );
  }
}

/** One environment's worst case: how much traffic a bad release can get, for how long. */
export interface ReleaseExposure {
  readonly environment: string;
  readonly strategy: string;
  readonly beforeUsers: string;
  readonly worstCase: string;
  readonly detection: string;
}

/**
 * What a bad release can reach before it is rolled back, from the environment's settings:
 * a release that fails an alarm at the last moment of each stage gets each stage's share for
 * the whole stage. docs/deploy.md carries this table; a test keeps them equal.
 */
export function releaseExposure(environment: string, settings: ReleaseSettings): ReleaseExposure {
  const detection = `${settings.alarms.evaluationMinutes} min over a threshold (+ about 1 min for metrics)`;
  const bakeMinutes = settings.bakeMinutes ?? 0;
  const bake =
    bakeMinutes > 0
      ? `then 100 % for up to ${bakeMinutes} min (rollback instant: old tasks still run)`
      : 'then no bake: the old tasks stop once all traffic moved, so a fault found later needs the previous image deployed again';
  const beforeUsers =
    settings.strategy === 'rolling'
      ? 'nothing'
      : settings.probe
        ? `pre-traffic check through test port ${settings.testPort}`
        : `test port ${settings.testPort}, no check`;
  const base = { environment, beforeUsers, detection };
  switch (settings.strategy) {
    case 'rolling':
      return {
        ...base,
        strategy: 'rolling',
        worstCase:
          'up to 100 % as tasks are replaced, until an alarm or the circuit breaker rolls back (ECS derives the watch time from the alarms)',
      };
    case 'blue-green':
      return { ...base, strategy: 'blue-green', worstCase: `100 % at once, ${bake}` };
    case 'canary':
      return {
        ...base,
        strategy: `canary ${settings.canaryPercent} %`,
        worstCase: `${settings.canaryPercent} % for up to ${settings.stepMinutes} min, ${bake}`,
      };
    case 'linear': {
      const step = settings.stepPercent ?? 100;
      const steps = Math.ceil(100 / step) - 1;
      return {
        ...base,
        strategy: `linear ${step} %`,
        worstCase: `${step} % more every ${settings.stepMinutes} min (${steps} steps below 100 %, ${steps * (settings.stepMinutes ?? 0)} min), ${bake}`,
      };
    }
  }
}

/** The markdown table of every environment's worst case, as docs/deploy.md shows it. */
export function renderReleaseExposureTable(rows: readonly ReleaseExposure[]): string {
  const lines = [
    '| Environment | Strategy | Before any user | Worst case for a bad release | An alarm fires after |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.environment} | ${row.strategy} | ${row.beforeUsers} | ${row.worstCase} | ${row.detection} |`,
    ),
  ];
  return lines.join('\n');
}

/**
 * Scales a service on requests per healthy target per minute, across every target group
 * it is released through. Under a traffic-shifting strategy production traffic moves to the
 * alternate group after each release, so the predefined ALBRequestCountPerTarget metric of the
 * first group would read zero there and stop scaling out; this policy divides the requests of
 * both groups by their healthy targets instead (metric math, which target tracking accepts).
 */
export function scaleOnRequestsAcrossGroups(
  scaling: ScalableTaskCount,
  targets: ReleasedTargets,
  requestsPerTarget: number,
): void {
  scaling.scaleOnRequestCount('Requests', { requestsPerTarget, targetGroup: targets.targetGroup });
  const alternate = targets.alternateTargetGroup;
  if (!alternate) return;
  // The policy is a child of the task count's scalable target, which CDK names 'Target'.
  const policy = scaling.node.findChild('Target').node.findChild('Requests').node
    .defaultChild as CfnScalingPolicy;
  const groups = [targets.targetGroup, alternate];
  const query = (id: string, metricName: string, statistic: string, group: ApplicationTargetGroup) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: metricName,
        Dimensions: [
          { Name: 'LoadBalancer', Value: group.firstLoadBalancerFullName },
          { Name: 'TargetGroup', Value: group.targetGroupFullName },
        ],
      },
      Stat: statistic,
    },
    ReturnData: false,
  });
  policy.addPropertyDeletionOverride(
    'TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification',
  );
  policy.addPropertyOverride('TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification', {
    Metrics: [
      ...groups.map((group, index) => query(`requests${index}`, 'RequestCount', 'Sum', group)),
      ...groups.map((group, index) => query(`healthy${index}`, 'HealthyHostCount', 'Average', group)),
      {
        Id: 'requestsPerTarget',
        Label: 'Requests per healthy target per minute, both target groups',
        Expression: '(FILL(requests0, 0) + FILL(requests1, 0)) / (FILL(healthy0, 0) + FILL(healthy1, 0))',
        ReturnData: true,
      },
    ],
  });
}
