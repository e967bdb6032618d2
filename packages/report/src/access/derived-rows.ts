import type { AccessRow } from './access-row.js';
import {
  HIPAA_ACCESS,
  HIPAA_AUDIT,
  HIPAA_ENCRYPTION,
  PCI_10_2,
  PCI_3_5,
  PCI_7_2_1,
  PCI_7_2_2,
} from './frameworks.js';
import type { StagePolicies } from './stage-policies.js';
import type { StackTemplate } from './stage-templates.js';

const OUTSIDER = 'arn:aws:iam::000000000000:role/outside-administrator';
const GRANT_MAKER = 'arn:aws:iam::{account}:role/citadel-operator';
const WORKLOAD = 'arn:aws:iam::{account}:role/citadel-workload';
const KEYS = [PCI_3_5, HIPAA_ENCRYPTION];
const LEAST = [PCI_7_2_1, PCI_7_2_2, HIPAA_ACCESS];

interface FoundResource {
  readonly stack: StackTemplate;
  readonly logicalId: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** Every resource of a type across the environment's stacks. */
function resourcesOfType(policies: StagePolicies, type: string): FoundResource[] {
  return policies.stage.stacks.flatMap((stack) =>
    Object.entries(stack.resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([logicalId, resource]) => ({ stack, logicalId, properties: resource.Properties ?? {} })),
  );
}

const keyArn = (policies: StagePolicies, { stack, logicalId }: FoundResource) =>
  policies.resolver.getAtt(logicalId, 'Arn', { stack, logicalId });

/** CloudWatch Logs must use the key of every encrypted log group, bound to that group by encryption context. */
export function logGroupKeyRows(policies: StagePolicies): AccessRow[] {
  const { account, region } = policies.stage;
  return resourcesOfType(policies, 'AWS::Logs::LogGroup').flatMap(({ stack, logicalId, properties }) => {
    if (properties.KmsKeyId === undefined) return [];
    const name = policies.resolver.ref(logicalId, { stack, logicalId });
    const key = policies.resolver.resolveString(properties.KmsKeyId, stack, logicalId);
    return ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
      who: `logs.${region}.amazonaws.com`,
      action,
      resource: key,
      context: {
        'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${account}:log-group:${name}`,
      },
      why: `CloudWatch Logs encrypts and reads log group ${name} (${stack.layer}/${logicalId})`,
      frameworks: [PCI_10_2, HIPAA_AUDIT, ...KEYS],
    }));
  });
}

/** Services a key policy lets callers go through (its kms:ViaService values). */
function viaServicesOf(policy: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, key?: string) => {
    if (key?.toLowerCase() === 'kms:viaservice') [value].flat().forEach((item) => found.add(String(item)));
    else if (value && typeof value === 'object') Object.entries(value).forEach(([k, v]) => walk(v, k));
  };
  walk(policy);
  return [...found];
}

/** No principal of another account may use any key, directly or through a service. */
export function outsideKeyRows(policies: StagePolicies): AccessRow[] {
  return resourcesOfType(policies, 'AWS::KMS::Key').flatMap((key) =>
    [undefined, ...viaServicesOf(key.properties.KeyPolicy)].flatMap((service) =>
      ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant'].map((action) => ({
        who: OUTSIDER,
        identity: ['*'],
        action,
        resource: keyArn(policies, key),
        ...(service ? { context: { 'kms:ViaService': service } } : {}),
        why: `a principal outside the account cannot use ${key.logicalId}${service ? ` through ${service}` : ''}`,
        frameworks: KEYS,
      })),
    ),
  );
}

/** An account principal allowed kms:CreateGrant on `*` cannot grant itself a key unless the grant is for an AWS resource. */
export function grantRows(policies: StagePolicies): AccessRow[] {
  return resourcesOfType(policies, 'AWS::KMS::Key').map((key): AccessRow => ({
    who: GRANT_MAKER,
    identity: ['kms:CreateGrant'],
    action: 'kms:CreateGrant',
    resource: keyArn(policies, key),
    context: { 'kms:GrantIsForAWSResource': 'false' },
    why: `a grant on ${key.logicalId} would hand its use to any grantee, bypassing the key policy`,
    frameworks: KEYS,
  }));
}

const FOREIGN_CALLS: Readonly<Record<string, { action: string; resource: string }>> = {
  'ecr.api': { action: 'ecr:BatchGetImage', resource: 'arn:aws:ecr:{region}:000000000000:repository/other' },
  'ecr.dkr': {
    action: 'ecr:GetDownloadUrlForLayer',
    resource: 'arn:aws:ecr:{region}:000000000000:repository/other',
  },
  logs: {
    action: 'logs:PutLogEvents',
    resource: 'arn:aws:logs:{region}:000000000000:log-group:other:log-stream:exfiltration',
  },
  secretsmanager: {
    action: 'secretsmanager:GetSecretValue',
    resource: 'arn:aws:secretsmanager:{region}:000000000000:secret:other-AbCdEf',
  },
  kms: {
    action: 'kms:Encrypt',
    resource: 'arn:aws:kms:{region}:000000000000:key/00000000-0000-0000-0000-000000000000',
  },
  sqs: { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:{region}:000000000000:exfiltration' },
  backup: {
    action: 'backup:StartBackupJob',
    resource: 'arn:aws:backup:{region}:000000000000:backup-vault:exfiltration',
  },
  lambda: {
    action: 'lambda:InvokeFunction',
    resource: 'arn:aws:lambda:{region}:000000000000:function:other',
  },
  sts: { action: 'sts:AssumeRole', resource: 'arn:aws:iam::000000000000:role/other' },
  ssm: { action: 'ssm:PutParameter', resource: 'arn:aws:ssm:{region}:000000000000:parameter/exfiltration' },
  s3: { action: 's3:PutObject', resource: 'arn:aws:s3:::exfiltration-bucket/data' },
};

/** Every endpoint refuses calls to resources of other accounts (the S3 gateway admits only ECR's layer bucket besides Citadel's). */
export function endpointRows(policies: StagePolicies): AccessRow[] {
  return policies.endpoints.map((endpoint) => {
    const call = FOREIGN_CALLS[endpoint.service];
    if (!call)
      throw new Error(
        `no must-deny call for VPC endpoint service ${endpoint.service}; add one to FOREIGN_CALLS`,
      );
    return {
      who: WORKLOAD,
      action: call.action,
      resource: call.resource,
      via: endpoint.service,
      endpointOnly: true,
      why: `the ${endpoint.service} endpoint refuses another account's resource, so stolen credentials cannot move data out`,
      frameworks: LEAST,
    };
  });
}
