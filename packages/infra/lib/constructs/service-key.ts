import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRootPrincipal,
  Effect,
  PolicyDocument,
  PolicyStatement,
  ServicePrincipal,
  type AddToResourcePolicyResult,
} from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';

/**
 * Actions that use a key to protect data (as opposed to managing the key). Granting is not
 * among them: a grant hands out use of the key, so it is allowed only to AWS services that
 * create it for a resource of theirs (see `KEY_GRANT_ACTIONS`).
 */
export const KEY_USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
] as const;

/** Actions that hand out use of a key; allowed only with `kms:GrantIsForAWSResource`. */
export const KEY_GRANT_ACTIONS = ['kms:CreateGrant'] as const;

/**
 * Administration of a key, listed action by action: no wildcard, because `kms:Create*` covers
 * `kms:CreateGrant` and `kms:Get*`/`kms:Describe*`-style patterns grow with every new KMS
 * action. None of these encrypts, decrypts or grants; revoking a grant only takes access away.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:ListKeyRotations',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:UpdateKeyDescription',
  'kms:ListGrants',
  'kms:ListRetirableGrants',
  'kms:RevokeGrant',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
] as const;

/** A service that calls KMS itself, under its own principal, rather than on behalf of a caller. */
export interface DirectKeyUser {
  /** Service principal, for example `logs.eu-west-1.amazonaws.com`. */
  readonly principal: string;
  /**
   * Conditions narrowing the service's use, for example the encryption context it must send.
   * @default - no conditions
   */
  readonly conditions?: Record<string, Record<string, unknown>>;
}

export interface ServiceKeyProps {
  /** Alias without the `alias/` prefix, for example `citadel/prod/database`. */
  readonly aliasName: string;
  /** What the key protects, shown on the key. */
  readonly description: string;
  /**
   * Service endpoint prefixes (`rds`, `secretsmanager`, …) through which identities in this
   * account may use the key. IAM still has to grant the identity; outside these services
   * the key refuses them.
   */
  readonly viaServices: readonly string[];
  /**
   * Services that call KMS with their own service principal.
   * @default - none
   */
  readonly directUsers?: readonly DirectKeyUser[];
  /**
   * What happens to the key when it leaves the stack.
   * @default RemovalPolicy.RETAIN - data encrypted under it stays readable
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A customer-managed KMS key for one class of data: yearly rotation, an alias, and a key
 * policy that lets this account administer the key but use it only through the services
 * listed in `viaServices` (plus any `directUsers`).
 */
export class ServiceKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string, props: ServiceKeyProps) {
    super(scope, id);
    if (props.viaServices.length === 0 && (props.directUsers ?? []).length === 0) {
      throw new InvalidPropError(
        this.node.path,
        'viaServices',
        props.viaServices,
        'name at least one service (or a direct user) that may use the key',
      );
    }
    const { account, region } = Stack.of(this);
    const policy = new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'AdministerKey',
          principals: [new AccountRootPrincipal()],
          actions: [...KEY_ADMIN_ACTIONS],
          resources: ['*'],
        }),
      ],
    });
    if (props.viaServices.length > 0) {
      const throughServices = {
        'kms:CallerAccount': account,
        'kms:ViaService': props.viaServices.map((service) => `${service}.${region}.amazonaws.com`),
      };
      policy.addStatements(
        new PolicyStatement({
          sid: 'UseThroughServices',
          principals: [new AccountRootPrincipal()],
          actions: [...KEY_USE_ACTIONS],
          resources: ['*'],
          conditions: { StringEquals: throughServices },
        }),
        // RDS, Secrets Manager, Backup, ECR and Lambda create grants for the resources they
        // encrypt; a principal calling CreateGrant itself would get direct use of the key.
        new PolicyStatement({
          sid: 'GrantThroughServicesForTheirResources',
          principals: [new AccountRootPrincipal()],
          actions: [...KEY_GRANT_ACTIONS],
          resources: ['*'],
          conditions: {
            StringEquals: throughServices,
            Bool: { 'kms:GrantIsForAWSResource': 'true' },
          },
        }),
      );
    }
    for (const user of props.directUsers ?? []) {
      policy.addStatements(
        new PolicyStatement({
          sid: `Use${user.principal.split('.')[0]?.replace(/[^A-Za-z0-9]/g, '') ?? 'Service'}Directly`,
          principals: [new ServicePrincipal(user.principal)],
          actions: [
            'kms:Encrypt*',
            'kms:Decrypt*',
            'kms:ReEncrypt*',
            'kms:GenerateDataKey*',
            'kms:Describe*',
          ],
          resources: ['*'],
          ...(user.conditions ? { conditions: user.conditions } : {}),
        }),
      );
    }
    this.key = new GrantGuardedKey(this, 'Key', {
      alias: props.aliasName,
      description: props.description,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      policy,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}

/**
 * A key whose policy never lets an account identity create a grant for itself. Statements
 * added later (CDK adds one for a Secrets Manager secret, for example) are split: the
 * `kms:CreateGrant` part is allowed only when an AWS service creates the grant for a resource
 * of its own. A wildcard that covers `kms:CreateGrant` is refused outright.
 */
class GrantGuardedKey extends Key {
  override addToResourcePolicy(statement: PolicyStatement, allowNoOp?: boolean): AddToResourcePolicyResult {
    const grants = statement.actions.filter((action) => action === 'kms:CreateGrant');
    if (statement.effect !== Effect.ALLOW || !grantsToIdentities(statement)) {
      return super.addToResourcePolicy(statement, allowNoOp);
    }
    const covering = statement.actions.find(
      (action) => action !== 'kms:CreateGrant' && coversCreateGrant(action),
    );
    if (covering !== undefined || statement.notActions.length > 0) {
      throw new InvalidPropError(
        this.node.path,
        'key policy statement',
        statement.toStatementJson(),
        `"${covering ?? 'NotAction'}" would let an account identity call kms:CreateGrant and use the key outside its services; list the actions explicitly`,
      );
    }
    if (grants.length === 0) return super.addToResourcePolicy(statement, allowNoOp);
    const others = statement.actions.filter((action) => action !== 'kms:CreateGrant');
    const guarded = statement.copy({ actions: grants });
    guarded.addCondition('Bool', { 'kms:GrantIsForAWSResource': 'true' });
    const result = super.addToResourcePolicy(guarded, allowNoOp);
    return others.length > 0
      ? super.addToResourcePolicy(statement.copy({ actions: others }), allowNoOp)
      : result;
  }
}

/** True when an action pattern (`kms:Create*`, `kms:*`, `*`) matches `kms:CreateGrant`. */
function coversCreateGrant(pattern: string): boolean {
  const expression = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${expression}$`, 'i').test('kms:CreateGrant');
}

/** True when the statement names an IAM identity (account, role, user, `*`) rather than only services. */
function grantsToIdentities(statement: PolicyStatement): boolean {
  const json = statement.toStatementJson() as { Principal?: unknown; NotPrincipal?: unknown };
  if (json.NotPrincipal !== undefined) return true;
  const principal = json.Principal;
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  return Object.keys(principal).some((kind) => kind !== 'Service');
}
