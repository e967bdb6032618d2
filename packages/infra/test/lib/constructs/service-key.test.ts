import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { ServiceKey } from '../../../lib/constructs/service-key.js';
import { InvalidPropError } from '../../../lib/invalid-prop-error.js';
import { everyTemplate } from '../../support/every-template.js';
import { synthesizedApp } from '../../support/synthesized-app.js';
import { onlyResource, resourcesOf } from '../../support/template-queries.js';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';

/** Every KMS action in the Service Authorization Reference (2026-09), to expand wildcards against. */
const KMS_ACTIONS = [
  'CancelKeyDeletion', 'ConnectCustomKeyStore', 'CreateAlias', 'CreateCustomKeyStore', 'CreateGrant',
  'CreateKey', 'Decrypt', 'DeleteAlias', 'DeleteCustomKeyStore', 'DeleteImportedKeyMaterial',
  'DeriveSharedSecret', 'DescribeCustomKeyStores', 'DescribeKey', 'DisableKey', 'DisableKeyRotation',
  'DisconnectCustomKeyStore', 'EnableKey', 'EnableKeyRotation', 'Encrypt', 'GenerateDataKey',
  'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'GenerateDataKeyWithoutPlaintext',
  'GenerateMac', 'GenerateRandom', 'GetKeyLastUsage', 'GetKeyPolicy', 'GetKeyRotationStatus',
  'GetParametersForImport', 'GetPublicKey', 'ImportKeyMaterial', 'ListAliases', 'ListGrants',
  'ListKeyPolicies', 'ListKeyRotations', 'ListKeys', 'ListResourceTags', 'ListRetirableGrants',
  'PutKeyPolicy', 'ReEncryptFrom', 'ReEncryptTo', 'ReplicateKey', 'RetireGrant', 'RevokeGrant',
  'RotateKeyOnDemand', 'ScheduleKeyDeletion', 'Sign', 'SynchronizeMultiRegionKey', 'TagResource',
  'UntagResource', 'UpdateAlias', 'UpdateCustomKeyStore', 'UpdateKeyDescription', 'UpdatePrimaryRegion',
  'Verify', 'VerifyMac',
].map((name) => `kms:${name}`); // prettier-ignore

/** Actions that read or protect data with the key, or hand that ability out. */
const USE_ACTIONS = new Set(
  [
    'Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyPair',
    'GenerateDataKeyPairWithoutPlaintext', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'VerifyMac',
    'Sign', 'Verify', 'DeriveSharedSecret', 'CreateGrant',
  ].map((name) => `kms:${name}`), // prettier-ignore
);

type Statement = Record<string, unknown>;

/** The KMS actions a statement's Action element allows, wildcards expanded (IAM matches case-insensitively). */
function allowedKmsActions(statement: Statement): string[] {
  const patterns = [statement.Action ?? []].flat() as string[];
  return KMS_ACTIONS.filter((action) =>
    patterns.some((pattern) => {
      const expression = pattern
        .split('')
        .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return new RegExp(`^${expression}$`, 'i').test(action);
    }),
  );
}

/** True when the statement's principal includes an IAM identity (account, role, user or `*`), not only services. */
function namesIdentities(statement: Statement): boolean {
  if (statement.NotPrincipal !== undefined || statement.Principal === '*') return true;
  const principal = statement.Principal as Record<string, unknown> | undefined;
  return principal !== undefined && Object.keys(principal).some((kind) => kind !== 'Service');
}

function conditionValue(statement: Statement, operator: string, key: string): unknown {
  const conditions = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  return conditions[operator]?.[key];
}

/** Why a key policy lets an account identity use the key outside its services, or nothing when it does not. */
function keyPolicyFindings(keyPolicy: { Statement: Statement[] }): string[] {
  const findings: string[] = [];
  for (const statement of keyPolicy.Statement) {
    if (statement.Effect !== 'Allow' || !namesIdentities(statement)) continue;
    if (statement.NotAction !== undefined) findings.push(`${String(statement.Sid)} uses NotAction`);
    const actions = allowedKmsActions(statement);
    const viaService = conditionValue(statement, 'StringEquals', 'kms:ViaService');
    const forAwsResource = conditionValue(statement, 'Bool', 'kms:GrantIsForAWSResource');
    if (actions.includes('kms:CreateGrant') && String(forAwsResource) !== 'true') {
      findings.push(`${String(statement.Sid)} allows kms:CreateGrant without kms:GrantIsForAWSResource`);
    }
    const use = actions.filter((action) => USE_ACTIONS.has(action));
    if (use.length > 0 && viaService === undefined) {
      findings.push(`${String(statement.Sid)} allows ${use.join(', ')} without kms:ViaService`);
    }
  }
  return findings;
}

function newStack(): Stack {
  return new Stack(new App({ builtinCloudFormationValidation: false }), 'Keys', {
    env: { account: ACCOUNT, region: REGION },
  });
}

function onlyKeyPolicy(stack: Stack): { logicalId: string; policy: { Statement: Statement[] } } {
  const [logicalId, key] = onlyResource(Template.fromStack(stack), 'AWS::KMS::Key');
  return { logicalId, policy: (key.Properties as { KeyPolicy: { Statement: Statement[] } }).KeyPolicy };
}

describe('ServiceKey', () => {
  it('lets account identities use the key and create grants only through its services, for AWS resources', () => {
    // Prepare
    const stack = newStack();

    // Act
    new ServiceKey(stack, 'Database', {
      aliasName: 'citadel/test/database',
      description: 'test',
      viaServices: ['rds'],
    });

    // Assess
    const { policy } = onlyKeyPolicy(stack);
    expect(keyPolicyFindings(policy)).toEqual([]);
    const grant = policy.Statement.find((statement) =>
      allowedKmsActions(statement).includes('kms:CreateGrant'),
    );
    expect(grant?.Condition).toEqual({
      StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': ['rds.eu-west-1.amazonaws.com'] },
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
    });
  });

  it('keeps every administration action a key needs, and no action that uses the key, in the admin statement', () => {
    // Prepare
    const stack = newStack();

    // Act
    new ServiceKey(stack, 'Database', {
      aliasName: 'citadel/test/database',
      description: 'test',
      viaServices: ['rds'],
    });

    // Assess
    const admin = onlyKeyPolicy(stack).policy.Statement.find(
      (statement) => statement.Sid === 'AdministerKey',
    );
    const actions = allowedKmsActions(admin ?? {});
    expect(actions.filter((action) => USE_ACTIONS.has(action))).toEqual([]);
    // PutKeyPolicy keeps the policy updatable (and passes KMS's lockout check); the rest are the lifecycle.
    expect(actions).toEqual(
      expect.arrayContaining([
        'kms:PutKeyPolicy',
        'kms:GetKeyPolicy',
        'kms:DescribeKey',
        'kms:EnableKeyRotation',
        'kms:DisableKey',
        'kms:EnableKey',
        'kms:ScheduleKeyDeletion',
        'kms:CancelKeyDeletion',
        'kms:TagResource',
        'kms:UntagResource',
        'kms:RevokeGrant',
        'kms:CreateAlias',
        'kms:UpdateKeyDescription',
      ]),
    );
  });

  it('guards kms:CreateGrant that CDK adds for a Secrets Manager secret encrypted under the key', () => {
    // Prepare
    const stack = newStack();
    const key = new ServiceKey(stack, 'Secrets', {
      aliasName: 'citadel/test/secrets',
      description: 'test',
      viaServices: ['secretsmanager'],
    }).key;

    // Act
    new Secret(stack, 'Secret', { encryptionKey: key });

    // Assess
    expect(keyPolicyFindings(onlyKeyPolicy(stack).policy)).toEqual([]);
  });

  it('fails when a statement would give account identities kms:CreateGrant through a wildcard', () => {
    // Prepare
    const stack = newStack();
    const key = new ServiceKey(stack, 'Database', {
      aliasName: 'citadel/test/database',
      description: 'test',
      viaServices: ['rds'],
    }).key;

    // Act
    const act = () =>
      key.addToResourcePolicy(
        new PolicyStatement({
          principals: [new AccountRootPrincipal()],
          actions: ['kms:Create*'],
          resources: ['*'],
        }),
      );

    // Assess
    expect(act).toThrow(InvalidPropError);
    expect(act).toThrow(/kms:Create\*/);
  });

  it('leaves statements for service principals and identity grants to roles as they are', () => {
    // Prepare
    const stack = newStack();
    const key = new ServiceKey(stack, 'Logs', {
      aliasName: 'citadel/test/logs',
      description: 'test',
      viaServices: ['s3'],
      directUsers: [{ principal: 'logs.eu-west-1.amazonaws.com' }],
    }).key;
    const role = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });

    // Act
    key.grantDecrypt(role);

    // Assess
    const { policy } = onlyKeyPolicy(stack);
    expect(policy.Statement.map((statement) => statement.Sid)).toEqual([
      'AdministerKey',
      'UseThroughServices',
      'GrantThroughServicesForTheirResources',
      'UselogsDirectly',
    ]);
  });

  it('keeps the logical id of the key, so a policy change updates the key in place', () => {
    // Prepare
    const stack = newStack();

    // Act
    new ServiceKey(stack, 'Database', {
      aliasName: 'citadel/test/database',
      description: 'test',
      viaServices: ['rds'],
    });

    // Assess
    expect(onlyKeyPolicy(stack).logicalId).toBe('DatabaseKey5E5D9547');
  });

  it('lets no account identity use or grant any key of any environment outside its services', () => {
    // Prepare
    const app = synthesizedApp();
    const findings: string[] = [];

    // Act
    for (const { environment, layer, template } of everyTemplate(app)) {
      for (const [logicalId, key] of Object.entries(resourcesOf(template, 'AWS::KMS::Key'))) {
        const policy = (key.Properties as { KeyPolicy: { Statement: Statement[] } }).KeyPolicy;
        for (const finding of keyPolicyFindings(policy))
          findings.push(`${environment}/${layer}/${logicalId}: ${finding}`);
      }
    }

    // Assess
    expect(findings).toEqual([]);
  }, 600_000);
});
