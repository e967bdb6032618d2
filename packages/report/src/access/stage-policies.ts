import { awsManagedPolicy } from './aws-managed-policies.js';
import type { PolicyDocument } from './iam-simulator.js';
import { IntrinsicResolver } from './intrinsic-resolver.js';
import type { StackTemplate, StageTemplates, TemplateResource } from './stage-templates.js';

export interface NamedPolicy {
  readonly name: string;
  readonly policy: PolicyDocument;
}

/** A VPC endpoint of the environment: the AWS service it reaches, its id and its policy (none = full access). */
export interface EndpointPolicy {
  readonly service: string;
  readonly endpointId: string;
  readonly policy?: PolicyDocument;
}

type Visit = (stack: StackTemplate, logicalId: string, resource: TemplateResource) => void;

/**
 * Every identity, resource and endpoint policy of one environment, with intrinsics
 * resolved: identity policies by role ARN, resource policies by the ARN they protect.
 */
export class StagePolicies {
  readonly resolver: IntrinsicResolver;
  private readonly identity = new Map<string, NamedPolicy[]>();
  private readonly resourcePolicies = new Map<string, NamedPolicy>();
  private readonly endpointList: EndpointPolicy[] = [];
  private readonly managedByArn = new Map<string, NamedPolicy>();
  private readonly pendingManaged: { roleArn: string; policyArn: string; usedBy: string }[] = [];

  constructor(readonly stage: StageTemplates) {
    this.resolver = new IntrinsicResolver(stage);
    this.each((stack, id, resource) => this.collect(stack, id, resource));
    for (const { roleArn, policyArn, usedBy } of this.pendingManaged) {
      const managed = this.managedByArn.get(policyArn);
      if (!managed)
        throw new Error(`${usedBy} attaches ${policyArn}, which no stack of ${stage.environment} defines`);
      this.addIdentity(roleArn, managed);
    }
  }

  /** Role ARNs of the environment. */
  get roleArns(): readonly string[] {
    return [...this.identity.keys()];
  }

  /** Names of the buckets the environment synthesizes. */
  get bucketNames(): readonly string[] {
    return this.stage.stacks.flatMap((stack) =>
      Object.entries(stack.resources)
        .filter(([, resource]) => resource.Type === 'AWS::S3::Bucket')
        .map(([logicalId]) => this.resolver.ref(logicalId, { stack, logicalId })),
    );
  }

  get endpoints(): readonly EndpointPolicy[] {
    return this.endpointList;
  }

  /** Identity policies of a role of this environment, or undefined for a principal it does not hold. */
  identityPoliciesOf(roleArn: string): readonly NamedPolicy[] | undefined {
    return this.identity.get(roleArn);
  }

  /** The resource policy guarding a resource ARN (an S3 object falls under its bucket's policy). */
  resourcePolicyOf(resourceArn: string): NamedPolicy | undefined {
    const bucket = /^(arn:aws[\w-]*:s3:::[^/]+)/.exec(resourceArn)?.[1];
    return this.resourcePolicies.get(bucket ?? resourceArn);
  }

  /** The VPC endpoint of an AWS service (`sqs`, `kms`, `s3`, …), if the environment has one. */
  endpointFor(service: string): EndpointPolicy | undefined {
    return this.endpointList.find((endpoint) => endpoint.service === service);
  }

  private each(visit: Visit): void {
    for (const stack of this.stage.stacks) {
      for (const [logicalId, resource] of Object.entries(stack.resources)) visit(stack, logicalId, resource);
    }
  }

  private collect(stack: StackTemplate, logicalId: string, resource: TemplateResource): void {
    const properties = resource.Properties ?? {};
    const resolve = (value: unknown) => this.resolver.resolve(value, stack, logicalId);
    const text = (value: unknown) => this.resolver.resolveString(value, stack, logicalId);
    const name = `${stack.stackName}/${logicalId}`;
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        return this.collectRole(stack, logicalId, properties, name);
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy': {
        const policy = resolve(properties.PolicyDocument) as PolicyDocument;
        if (resource.Type === 'AWS::IAM::ManagedPolicy') {
          this.managedByArn.set(this.resolver.ref(logicalId, { stack, logicalId }), { name, policy });
        }
        for (const role of (properties.Roles as unknown[] | undefined) ?? []) {
          this.addIdentity(this.roleArnByName(text(role), name), { name, policy });
        }
        if (properties.Users || properties.Groups)
          throw new Error(`${name}: policies on users or groups are not part of the access proof`);
        return;
      }
      case 'AWS::KMS::Key':
        return this.addResource(
          this.resolver.getAtt(logicalId, 'Arn', { stack, logicalId }),
          name,
          resolve(properties.KeyPolicy),
        );
      case 'AWS::SNS::TopicPolicy':
        return this.addEach(
          properties.Topics,
          (topic) => text(topic),
          name,
          resolve(properties.PolicyDocument),
        );
      case 'AWS::SQS::QueuePolicy':
        return this.addEach(
          properties.Queues,
          (queue) => queueArn(text(queue)),
          name,
          resolve(properties.PolicyDocument),
        );
      case 'AWS::S3::BucketPolicy':
        return this.addResource(
          `arn:${this.stage.partition}:s3:::${text(properties.Bucket)}`,
          name,
          resolve(properties.PolicyDocument),
        );
      case 'AWS::SecretsManager::ResourcePolicy':
        return this.addResource(text(properties.SecretId), name, resolve(properties.ResourcePolicy));
      case 'AWS::Lambda::Permission':
        return this.addFunctionStatement(
          text(properties.FunctionName),
          name,
          lambdaPermissionStatement(properties, text),
        );
      case 'AWS::EC2::VPCEndpoint':
        this.endpointList.push({
          service: text(properties.ServiceName).replace(/^com\.amazonaws\.[\w-]+\./, ''),
          endpointId: this.resolver.ref(logicalId, { stack, logicalId }),
          ...(properties.PolicyDocument
            ? { policy: resolve(properties.PolicyDocument) as PolicyDocument }
            : {}),
        });
        return;
      default:
        return;
    }
  }

  private collectRole(
    stack: StackTemplate,
    logicalId: string,
    properties: Record<string, unknown>,
    name: string,
  ): void {
    const arn = this.resolver.getAtt(logicalId, 'Arn', { stack, logicalId });
    this.identity.set(arn, this.identity.get(arn) ?? []);
    for (const inline of (properties.Policies as
      { PolicyName: unknown; PolicyDocument: unknown }[] | undefined) ?? []) {
      this.addIdentity(arn, {
        name: `${name}/${this.resolver.resolveString(inline.PolicyName, stack, logicalId)}`,
        policy: this.resolver.resolve(inline.PolicyDocument, stack, logicalId) as PolicyDocument,
      });
    }
    for (const managed of (properties.ManagedPolicyArns as unknown[] | undefined) ?? []) {
      const managedArn = this.resolver.resolveString(managed, stack, logicalId);
      if (/^arn:aws[\w-]*:iam::aws:policy\//.test(managedArn)) {
        this.addIdentity(arn, { name: managedArn, policy: awsManagedPolicy(managedArn, name) });
      } else {
        this.pendingManaged.push({ roleArn: arn, policyArn: managedArn, usedBy: name });
      }
    }
  }

  private roleArnByName(roleName: string, usedBy: string): string {
    const arn = [...this.identity.keys()].find((candidate) => candidate.endsWith(`/${roleName}`));
    if (arn) return arn;
    const found = this.findRole(roleName);
    if (!found)
      throw new Error(
        `${usedBy} attaches to role ${roleName}, which no stack of ${this.stage.environment} defines`,
      );
    return found;
  }

  private findRole(roleName: string): string | undefined {
    for (const stack of this.stage.stacks) {
      for (const [logicalId, resource] of Object.entries(stack.resources)) {
        if (resource.Type !== 'AWS::IAM::Role') continue;
        if (this.resolver.ref(logicalId, { stack, logicalId }) === roleName) {
          const arn = this.resolver.getAtt(logicalId, 'Arn', { stack, logicalId });
          this.identity.set(arn, this.identity.get(arn) ?? []);
          return arn;
        }
      }
    }
    return undefined;
  }

  private addIdentity(roleArn: string, policy: NamedPolicy): void {
    this.identity.set(roleArn, [...(this.identity.get(roleArn) ?? []), policy]);
  }

  private addEach(list: unknown, arnOf: (item: unknown) => string, name: string, policy: unknown): void {
    for (const item of (list as unknown[] | undefined) ?? []) this.addResource(arnOf(item), name, policy);
  }

  /** A function policy is the statements of every AWS::Lambda::Permission on the function. */
  private addFunctionStatement(functionName: string, name: string, statement: Record<string, unknown>): void {
    const { region, account, partition } = this.stage;
    const arn = functionName.startsWith('arn:')
      ? functionName
      : `arn:${partition}:lambda:${region}:${account}:function:${functionName}`;
    const existing = this.resourcePolicies.get(arn);
    const statements = existing ? ((existing.policy as { Statement: unknown[] }).Statement ?? []) : [];
    this.resourcePolicies.set(arn, {
      name: existing ? `${existing.name}, ${name}` : name,
      policy: { Version: '2012-10-17', Statement: [...statements, { ...statement, Resource: arn }] },
    });
  }

  private addResource(arn: string, name: string, policy: unknown): void {
    const existing = this.resourcePolicies.get(arn);
    if (existing)
      throw new Error(`${arn} has two resource policies (${existing.name}, ${name}); AWS keeps only one`);
    this.resourcePolicies.set(arn, { name, policy: policy as PolicyDocument });
  }
}

/** The ARN of a queue from its URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`). */
export function queueArn(url: string): string {
  const match = /^https:\/\/sqs\.([\w-]+)\.amazonaws\.com\/(\d{12})\/([\w.-]+)$/.exec(url);
  if (!match) throw new Error(`not an SQS queue URL: ${url}`);
  return `arn:aws:sqs:${match[1]}:${match[2]}:${match[3]}`;
}

/** The function-policy statement an AWS::Lambda::Permission adds, as Lambda writes it. */
function lambdaPermissionStatement(
  properties: Record<string, unknown>,
  text: (value: unknown) => string,
): Record<string, unknown> {
  const principal = text(properties.Principal);
  const condition: Record<string, Record<string, string>> = {};
  if (properties.SourceArn !== undefined) condition.ArnLike = { 'aws:SourceArn': text(properties.SourceArn) };
  if (properties.SourceAccount !== undefined)
    condition.StringEquals = { 'aws:SourceAccount': text(properties.SourceAccount) };
  if (
    properties.PrincipalOrgID !== undefined ||
    properties.FunctionUrlAuthType !== undefined ||
    properties.EventSourceToken !== undefined
  ) {
    throw new Error(
      'AWS::Lambda::Permission with PrincipalOrgID, FunctionUrlAuthType or EventSourceToken is not part of the access proof',
    );
  }
  return {
    Effect: 'Allow',
    Principal: /^[\w.-]+\.amazonaws\.com$/.test(principal) ? { Service: principal } : { AWS: principal },
    Action: text(properties.Action),
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}
