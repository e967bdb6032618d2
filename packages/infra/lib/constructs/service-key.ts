import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccountRootPrincipal, PolicyDocument, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';

/** Actions that use a key to protect data (as opposed to managing the key). */
export const KEY_USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
  'kms:CreateGrant',
] as const;

const KEY_ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

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
          actions: KEY_ADMIN_ACTIONS,
          resources: ['*'],
        }),
      ],
    });
    if (props.viaServices.length > 0) {
      policy.addStatements(
        new PolicyStatement({
          sid: 'UseThroughServices',
          principals: [new AccountRootPrincipal()],
          actions: [...KEY_USE_ACTIONS],
          resources: ['*'],
          conditions: {
            StringEquals: {
              'kms:CallerAccount': account,
              'kms:ViaService': props.viaServices.map((service) => `${service}.${region}.amazonaws.com`),
            },
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
    this.key = new Key(this, 'Key', {
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
