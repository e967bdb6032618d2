import type { AccessRow, Expectation, ResolvedRow } from './access-row.js';
import { simulate, type Decision, type PolicyDocument } from './iam-simulator.js';
import { AbsentResourceError, expandPlaceholders } from './placeholders.js';
import type { NamedPolicy, StagePolicies } from './stage-policies.js';

/** One request to judge, every value concrete. */
export interface AccessRequest {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  readonly via?: string;
  readonly identity?: readonly string[];
  readonly endpointOnly?: boolean;
}

/** The outcome of one row in one environment. */
export interface RowResult {
  readonly environment: string;
  readonly row: AccessRow;
  readonly expect: Expectation;
  /** `skipped` only for a row marked skipWhenAbsent whose resource the environment lacks. */
  readonly outcome: 'allowed' | 'denied' | 'skipped';
  readonly decision?: Decision;
  readonly resolved?: ResolvedRow;
  readonly note?: string;
  readonly passed: boolean;
}

const OTHER_ACCOUNT = '000000000000';
const allowAll = (actions: readonly string[], principal = false): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: [...actions], Resource: '*', ...(principal ? { Principal: '*' } : {}) },
  ],
});
const isServicePrincipal = (principal: string) => /^[\w.-]+\.amazonaws\.com(\.cn)?$/.test(principal);
const accountOfArn = (arn: string) => /^arn:aws[\w-]*:[\w-]*:[\w-]*:(\d{12}):/.exec(arn)?.[1];

/**
 * Judges requests against one environment: the principal's identity policies, the target's
 * resource policy (key policy, bucket policy, …) and, for a call through a VPC endpoint, that
 * endpoint's policy, evaluated together by iam-simulate.
 */
export class AccessEvaluator {
  constructor(readonly policies: StagePolicies) {}

  get environment(): string {
    return this.policies.stage.environment;
  }

  /** The decision for one concrete request. */
  async evaluate(request: AccessRequest): Promise<Decision> {
    const endpoint = request.via ? this.policies.endpointFor(request.via) : undefined;
    if (request.via && !endpoint) {
      throw new Error(
        `${this.environment} has no VPC endpoint for ${request.via}; the call cannot leave the VPC`,
      );
    }
    const resourceAccount = this.resourceAccount(request.resource, request.principal);
    const context: Record<string, string | readonly string[]> = {
      'aws:SecureTransport': 'true',
      'aws:ResourceAccount': resourceAccount,
      ...this.principalContext(request),
      ...(endpoint ? { 'aws:SourceVpce': endpoint.endpointId } : {}),
      ...request.context,
    };
    const resourcePolicy = request.endpointOnly
      ? allowAll(['*'], true)
      : this.policies.resourcePolicyOf(request.resource)?.policy;
    return simulate({
      principal: request.principal,
      action: request.action,
      resource: request.resource,
      resourceAccount,
      context,
      identityPolicies: request.endpointOnly
        ? [{ name: 'identity allows everything', policy: allowAll(['*']) }]
        : this.identityPolicies(request),
      ...(resourcePolicy ? { resourcePolicy } : {}),
      ...(endpoint?.policy
        ? { endpointPolicies: [{ name: `endpoint ${endpoint.service}`, policy: endpoint.policy }] }
        : {}),
    });
  }

  /** Resolves a row for this environment and judges it against its expectation. */
  async check(row: AccessRow, expect: Expectation): Promise<RowResult> {
    const base = { environment: this.environment, row, expect };
    let resolved: ResolvedRow;
    try {
      resolved = this.resolveRow(row, expect);
    } catch (error) {
      if (row.skipWhenAbsent && error instanceof AbsentResourceError) {
        return { ...base, outcome: 'skipped', note: error.message, passed: true };
      }
      throw error;
    }
    const decision = await this.evaluate({
      ...row,
      principal: resolved.principal,
      resource: resolved.resource,
      context: resolved.context,
    });
    const outcome = decision === 'Allowed' ? 'allowed' : 'denied';
    return { ...base, outcome, decision, resolved, passed: (outcome === 'allowed') === (expect === 'allow') };
  }

  /** A row with its placeholders expanded for this environment. */
  resolveRow(row: AccessRow, expect: Expectation): ResolvedRow {
    const expand = (text: string) => expandPlaceholders(text, this.policies);
    const context = Object.fromEntries(
      Object.entries(row.context ?? {}).map(([key, value]) => [
        key,
        typeof value === 'string' ? expand(value) : (value as readonly string[]).map(expand),
      ]),
    );
    return { row, expect, principal: expand(row.who), resource: expand(row.resource), context };
  }

  private identityPolicies(request: AccessRequest): readonly NamedPolicy[] {
    if (request.identity) return [{ name: 'stated identity', policy: allowAll(request.identity) }];
    if (isServicePrincipal(request.principal)) return [];
    const own = this.policies.identityPoliciesOf(request.principal);
    if (own) return own;
    const principalAccount = accountOfArn(request.principal);
    if (principalAccount && principalAccount !== this.policies.stage.account) {
      throw new Error(
        `${request.principal} is outside ${this.environment}; state what its own policies allow with "identity"`,
      );
    }
    throw new Error(`${this.environment} defines no role ${request.principal}`);
  }

  private principalContext(request: AccessRequest): Record<string, string> {
    if (isServicePrincipal(request.principal)) {
      return { 'aws:PrincipalServiceName': request.principal, 'aws:PrincipalIsAWSService': 'true' };
    }
    const principalAccount = accountOfArn(request.principal);
    if (!principalAccount)
      throw new Error(`principal ${request.principal} is neither an IAM ARN nor a service principal`);
    return {
      'aws:PrincipalArn': request.principal,
      'aws:PrincipalAccount': principalAccount,
      'aws:PrincipalIsAWSService': 'false',
      ...(request.action.startsWith('kms:') ? { 'kms:CallerAccount': principalAccount } : {}),
    };
  }

  /**
   * The account a resource sits in, as AWS puts it in `aws:ResourceAccount`. An action without
   * a resource type (`*`, e.g. ecr:GetAuthorizationToken) acts on the caller's own account:
   * AWS's data-perimeter endpoint policy for ecr.api requires the resource organization on every
   * call, which only works if such actions carry the caller's account.
   */
  private resourceAccount(arn: string, principal: string): string {
    if (arn === '*') return accountOfArn(principal) ?? this.policies.stage.account;
    return accountOfArn(arn) ?? (this.ownsResource(arn) ? this.policies.stage.account : OTHER_ACCOUNT);
  }

  private ownsResource(arn: string): boolean {
    return (
      this.policies.resourcePolicyOf(arn) !== undefined ||
      this.policies.bucketNames.some((name) => arn.startsWith(`arn:aws:s3:::${name}`))
    );
  }
}
