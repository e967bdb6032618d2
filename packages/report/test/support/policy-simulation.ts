import { runSimulation } from '@cloud-copilot/iam-simulate';

import {
  resolveIntrinsics,
  type ReferenceValues,
  type ResolveOptions,
} from '@citadel/infra/testing/resolve-intrinsics';

export { resolveIntrinsics, type ReferenceValues, type ResolveOptions };

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
