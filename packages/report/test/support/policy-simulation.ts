import { runSimulation } from '@cloud-copilot/iam-simulate';

/** What a template's references resolve to: logical ids (`Ref`) and `<id>.<attribute>` (`Fn::GetAtt`). */
export type ReferenceValues = Readonly<Record<string, string>>;

export interface ResolveOptions {
  readonly account: string;
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** @default - a reference to a resource resolves to `<logicalId>` and an attribute to `<logicalId>.<attribute>` */
  readonly references?: ReferenceValues;
}

/**
 * Replaces the CloudFormation intrinsics CDK writes into policies (`Ref`, `Fn::GetAtt`,
 * `Fn::Join`) with the strings they stand for in one account and region, so a
 * synthesized policy can be evaluated as AWS would evaluate the deployed one.
 */
export function resolveIntrinsics(value: unknown, options: ResolveOptions): unknown {
  const pseudo: Record<string, string> = {
    'AWS::Partition': options.partition ?? 'aws',
    'AWS::AccountId': options.account,
    'AWS::Region': options.region,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve);
    if (node === null || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && keys[0] === 'Ref') {
      const id = String(record.Ref);
      return pseudo[id] ?? options.references?.[id] ?? id;
    }
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      const [id, attribute] = record['Fn::GetAtt'] as [string, string];
      return options.references?.[`${id}.${attribute}`] ?? `${id}.${attribute}`;
    }
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => String(resolve(part))).join(separator);
    }
    return Object.fromEntries(keys.map((key) => [key, resolve(record[key])]));
  };
  return resolve(value);
}

export interface ResourcePolicyRequest {
  /** A resource policy (topic, key or bucket policy) with its intrinsics resolved. */
  readonly policy: unknown;
  readonly action: string;
  /** A service principal such as `cloudwatch.amazonaws.com`, or an IAM principal ARN. */
  readonly principal: string;
  readonly resource: string;
  readonly resourceAccount: string;
  /** The request's context keys, as the calling service sends them. */
  readonly context: Readonly<Record<string, string | string[]>>;
  /**
   * Identity policies of an IAM principal.
   * @default - none, as for a service principal
   */
  readonly identityPolicies?: readonly unknown[];
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/**
 * Evaluates one request against one resource policy and the caller's identity policies
 * (none for a service principal: only the resource policy can allow it).
 */
export async function decide(request: ResourcePolicyRequest): Promise<Decision> {
  const response = await runSimulation(
    {
      identityPolicies: (request.identityPolicies ?? []).map((policy, index) => ({
        name: `identity-${index}`,
        policy: policy as never,
      })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.policy as never,
      request: {
        action: request.action,
        principal: request.principal,
        resource: { accountId: request.resourceAccount, resource: request.resource },
        contextVariables: { ...request.context },
      },
    },
    {},
  );
  if (response.resultType === 'error') {
    throw new Error(`the simulation refused the request: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult as Decision;
}
