import { MIN_LOG_RETENTION_DAYS } from '@citadel/infra/config';
import { allOf, fails, holds, notApplicable, type GuardrailCheck } from './guardrail-check.js';
import { displayName } from './inventories.js';
import type { TemplateIndex, TemplateResource } from './template-index.js';
import { ownedOfType, references, type WorkloadResources } from './workload-resources.js';

type Json = Record<string, unknown>;

interface Container {
  readonly taskDefinition: TemplateResource;
  readonly definition: Json;
  /** `<task definition>/<container name>`, as the report names it. */
  readonly label: string;
}

function containersOf(workload: WorkloadResources): Container[] {
  return ownedOfType(workload, 'AWS::ECS::TaskDefinition').flatMap((taskDefinition) => {
    const definitions = taskDefinition.properties.ContainerDefinitions;
    return (Array.isArray(definitions) ? (definitions as unknown[]) : [])
      .filter((definition): definition is Json => definition !== null && typeof definition === 'object')
      .map((definition) => ({
        taskDefinition,
        definition,
        label: `${displayName(taskDefinition)}/${typeof definition.Name === 'string' ? definition.Name : '?'}`,
      }));
  });
}

const NUMERIC_USER = /^(\d+)(?::(\d+))?$/;
const NO_CONTAINERS = notApplicable('no container');

/** Holds when every container names a numeric user whose uid is not 0. */
export function runsAsNonRootNumericUser(workload: WorkloadResources): GuardrailCheck {
  return allOf(
    containersOf(workload).map(({ definition, label }) => {
      const user = definition.User;
      if (user === undefined)
        return fails(`${label}: no user (the image's user, root unless it says otherwise)`);
      const match = typeof user === 'string' ? NUMERIC_USER.exec(user) : null;
      if (!match) return fails(`${label}: user ${JSON.stringify(user)} is not a numeric uid`);
      return Number(match[1]) === 0 ? fails(`${label}: runs as root (${user})`) : holds(`user ${user}`);
    }),
    NO_CONTAINERS,
  );
}

/** Holds when every container's root filesystem is read-only. */
export function hasReadOnlyRootFilesystem(workload: WorkloadResources): GuardrailCheck {
  return allOf(
    containersOf(workload).map(({ definition, label }) =>
      definition.ReadonlyRootFilesystem === true || definition.ReadonlyRootFilesystem === 'true'
        ? holds('read-only')
        : fails(`${label}: root filesystem is writable`),
    ),
    NO_CONTAINERS,
  );
}

/** Every service, schedule and rule that starts one of `taskDefinition`'s tasks, with its public IP setting. */
function launchersOf(
  index: TemplateIndex,
  taskDefinition: TemplateResource,
): { launcher: TemplateResource; assignPublicIp: unknown }[] {
  const launchers: { launcher: TemplateResource; assignPublicIp: unknown }[] = [];
  const runs = (value: unknown, from: TemplateResource) => references(index, value, from, taskDefinition);
  for (const service of index.ofType('AWS::ECS::Service')) {
    if (!runs(service.properties.TaskDefinition, service)) continue;
    const network = (service.properties.NetworkConfiguration ?? {}) as Json;
    launchers.push({
      launcher: service,
      assignPublicIp: ((network.AwsvpcConfiguration ?? {}) as Json).AssignPublicIp,
    });
  }
  for (const schedule of index.ofType('AWS::Scheduler::Schedule')) {
    const ecs = (((schedule.properties.Target ?? {}) as Json).EcsParameters ?? {}) as Json;
    if (!runs(ecs.TaskDefinitionArn, schedule)) continue;
    const network = (ecs.NetworkConfiguration ?? {}) as Json;
    launchers.push({
      launcher: schedule,
      assignPublicIp: ((network.AwsvpcConfiguration ?? {}) as Json).AssignPublicIp,
    });
  }
  for (const rule of index.ofType('AWS::Events::Rule')) {
    const targets = Array.isArray(rule.properties.Targets) ? (rule.properties.Targets as Json[]) : [];
    for (const target of targets) {
      const ecs = (target?.EcsParameters ?? {}) as Json;
      if (!runs(ecs.TaskDefinitionArn, rule)) continue;
      const network = (ecs.NetworkConfiguration ?? {}) as Json;
      launchers.push({
        launcher: rule,
        assignPublicIp: ((network.AwsVpcConfiguration ?? {}) as Json).AssignPublicIp,
      });
    }
  }
  return launchers;
}

/** Holds when every service, schedule or rule that starts the workload's tasks says `AssignPublicIp: DISABLED`. */
export function hasNoPublicIp(index: TemplateIndex, workload: WorkloadResources): GuardrailCheck {
  const taskDefinitions = ownedOfType(workload, 'AWS::ECS::TaskDefinition');
  return allOf(
    taskDefinitions.flatMap((taskDefinition) => {
      const launchers = launchersOf(index, taskDefinition);
      if (launchers.length === 0)
        return [fails(`nothing in the templates starts ${displayName(taskDefinition)}`)];
      return launchers.map(({ launcher, assignPublicIp }) =>
        assignPublicIp === 'DISABLED'
          ? holds(`${launcher.type.replace(/^AWS::/, '')} AssignPublicIp DISABLED`)
          : fails(
              `${displayName(launcher)}: AssignPublicIp ${assignPublicIp === undefined ? 'not set' : JSON.stringify(assignPublicIp)}`,
            ),
      );
    }),
    NO_CONTAINERS,
  );
}

/** The log group a log-group reference (`Ref`, import, or a literal name) designates. */
function logGroupNamed(index: TemplateIndex, value: unknown, from: TemplateResource) {
  if (typeof value === 'string')
    return index.ofType('AWS::Logs::LogGroup').find((group) => group.properties.LogGroupName === value);
  const target = index.resolve(value, from);
  return target?.type === 'AWS::Logs::LogGroup' ? target : undefined;
}

/** Whether a log group has a KMS key and keeps events at least the minimum (or forever). */
function logGroupCheck(index: TemplateIndex, group: TemplateResource, writer: string): GuardrailCheck {
  const { KmsKeyId, RetentionInDays } = group.properties;
  const name = displayName(group);
  const key = KmsKeyId === undefined ? undefined : index.resolve(KmsKeyId, group);
  const days = RetentionInDays === undefined ? Infinity : Number(RetentionInDays);
  const problems = [
    ...(KmsKeyId === undefined ? ['no KMS key'] : []),
    ...(days >= MIN_LOG_RETENTION_DAYS
      ? []
      : [`retention ${String(RetentionInDays)} days < ${MIN_LOG_RETENTION_DAYS}`]),
  ];
  if (problems.length) return fails(`${writer} logs to ${name}: ${problems.join(', ')}`);
  const retention = days === Infinity ? 'never expires' : `${days} days`;
  return holds(`${name}: KMS ${key ? displayName(key) : 'key'}, ${retention}`);
}

/** The log groups the workload writes to, and its writers that write nowhere the templates show. */
export function logDestinations(
  index: TemplateIndex,
  workload: WorkloadResources,
): { writer: string; group?: TemplateResource; problem?: string }[] {
  const containers = containersOf(workload).map(({ taskDefinition, definition, label }) => {
    const logging = (definition.LogConfiguration ?? {}) as Json;
    if (logging.LogDriver !== 'awslogs')
      return { writer: label, problem: `log driver ${String(logging.LogDriver ?? 'none')}, not awslogs` };
    const groupRef = ((logging.Options ?? {}) as Json)['awslogs-group'];
    const group = logGroupNamed(index, groupRef, taskDefinition);
    return group
      ? { writer: label, group }
      : { writer: label, problem: 'awslogs-group is not a log group of the templates' };
  });
  const functions = ownedOfType(workload, 'AWS::Lambda::Function').map((fn) => {
    const groupRef = ((fn.properties.LoggingConfig ?? {}) as Json).LogGroup;
    const group = groupRef === undefined ? undefined : logGroupNamed(index, groupRef, fn);
    return group
      ? { writer: displayName(fn), group }
      : {
          writer: displayName(fn),
          problem: 'logs to the default /aws/lambda group, which the templates neither encrypt nor expire',
        };
  });
  return [...containers, ...functions];
}

/** Holds when every container and function logs to a KMS-encrypted log group kept long enough. */
export function logsToEncryptedRetainedGroup(
  index: TemplateIndex,
  workload: WorkloadResources,
): GuardrailCheck {
  return allOf(
    logDestinations(index, workload).map(({ writer, group, problem }) =>
      group ? logGroupCheck(index, group, writer) : fails(`${writer}: ${problem ?? 'no log group'}`),
    ),
    notApplicable('no container or function'),
  );
}
