import type { TemplateIndex, TemplateResource } from './template-index.js';

type Json = Record<string, unknown>;

export interface DataStoreEntry {
  readonly store: string;
  readonly type: string;
  readonly key: string;
}
export interface ExposureEntry {
  readonly resource: string;
  readonly kind: 'listener' | 'security group rule';
  readonly detail: string;
}
export interface RoleEntry {
  readonly role: string;
  readonly assumedBy: string;
  readonly statements: readonly { effect: string; actions: string; resources: string }[];
}
export interface LogGroupEntry {
  readonly logGroup: string;
  readonly retentionDays: string;
  readonly key: string;
}
export interface Inventories {
  readonly dataStores: readonly DataStoreEntry[];
  readonly exposure: readonly ExposureEntry[];
  readonly roles: readonly RoleEntry[];
  readonly logGroups: readonly LogGroupEntry[];
}

/** `dev/data/Postgres/Resource` -> `data/Postgres`: the path a reader recognizes. */
export function displayName(resource: TemplateResource): string {
  return resource.path
    .split('/')
    .slice(1)
    .filter(
      (part, index, parts) => !(index === parts.length - 1 && (part === 'Resource' || part === 'Default')),
    )
    .join('/');
}

/** Renders a template value for a reader: references become resource names, joins are joined. */
export function describeValue(index: TemplateIndex, value: unknown, from: TemplateResource): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (Array.isArray(value)) return value.map((item) => describeValue(index, item, from)).join(', ');
  if (value === null || typeof value !== 'object') return '';
  const record = value as Json;
  const join = record['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) {
    return (join[1] as unknown[]).map((part) => describeValue(index, part, from)).join(String(join[0]));
  }
  if (typeof record.Ref === 'string' && record.Ref.startsWith('AWS::')) return `\${${record.Ref.slice(5)}}`;
  const target = index.resolve(value, from);
  if (target) return `‹${displayName(target)}›`;
  const keys = Object.keys(record);
  if (keys.some((key) => key === 'Ref' || key.startsWith('Fn::'))) return JSON.stringify(value);
  return keys.map((key) => `${key}: ${describeValue(index, record[key], from)}`).join('; ');
}

function keyName(index: TemplateIndex, keyRef: unknown, from: TemplateResource): string | undefined {
  if (keyRef === undefined) return undefined;
  const key = index.resolve(keyRef, from);
  if (!key) return describeValue(index, keyRef, from);
  const alias = index
    .ofType('AWS::KMS::Alias')
    .find((candidate) => index.resolve(candidate.properties.TargetKeyId, candidate)?.key === key.key);
  return alias ? String(alias.properties.AliasName) : displayName(key);
}

function dataStoreKey(index: TemplateIndex, store: TemplateResource): string {
  const p = store.properties;
  switch (store.type) {
    case 'AWS::RDS::DBInstance':
    case 'AWS::RDS::DBCluster':
      return p.StorageEncrypted === true || p.StorageEncrypted === 'true'
        ? (keyName(index, p.KmsKeyId, store) ?? 'AWS-managed key (aws/rds)')
        : 'NOT ENCRYPTED';
    case 'AWS::SQS::Queue':
    case 'AWS::SNS::Topic':
      return (
        keyName(index, p.KmsMasterKeyId, store) ??
        (p.SqsManagedSseEnabled === false ? 'NOT ENCRYPTED' : 'service-managed SSE')
      );
    case 'AWS::S3::Bucket': {
      const rules = ((p.BucketEncryption as Json | undefined)?.ServerSideEncryptionConfiguration ??
        []) as Json[];
      const byDefault = (rules[0]?.ServerSideEncryptionByDefault ?? {}) as Json;
      if (byDefault.SSEAlgorithm === undefined) return 'SSE-S3 (S3 default)';
      return byDefault.SSEAlgorithm === 'AES256'
        ? 'SSE-S3 (AES-256)'
        : (keyName(index, byDefault.KMSMasterKeyID, store) ?? 'aws/s3 (AWS-managed)');
    }
    case 'AWS::SecretsManager::Secret':
      return keyName(index, p.KmsKeyId, store) ?? 'aws/secretsmanager (AWS-managed)';
    case 'AWS::ECR::Repository': {
      const config = (p.EncryptionConfiguration ?? {}) as Json;
      return config.EncryptionType === 'KMS'
        ? (keyName(index, config.KmsKey, store) ?? 'aws/ecr (AWS-managed)')
        : 'AES-256 (ECR default)';
    }
    case 'AWS::Backup::BackupVault':
      return keyName(index, p.EncryptionKeyArn, store) ?? 'aws/backup (AWS-managed)';
    default:
      return 'unknown';
  }
}

const DATA_STORE_TYPES = [
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::S3::Bucket',
  'AWS::SecretsManager::Secret',
  'AWS::ECR::Repository',
  'AWS::Backup::BackupVault',
];

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((total, octet) => total * 256 + Number(octet), 0);
}

/** Whether `cidr` lies wholly inside one of `networks` (IPv4 only; IPv6 counts as outside). */
function insideNetworks(cidr: string, networks: readonly string[]): boolean {
  const [ip, bits] = cidr.split('/');
  if (ip === undefined || !ip.includes('.')) return false;
  return networks.some((network) => {
    const [netIp, netBits] = network.split('/');
    if (netIp === undefined) return false;
    const prefix = Number(netBits ?? 32);
    if (Number(bits ?? 32) < prefix) return false;
    const size = 2 ** (32 - prefix);
    return Math.floor(ipv4ToNumber(ip) / size) === Math.floor(ipv4ToNumber(netIp) / size);
  });
}

function exposure(index: TemplateIndex): ExposureEntry[] {
  const entries: ExposureEntry[] = [];
  const vpcCidrs = index.ofType('AWS::EC2::VPC').map((vpc) => String(vpc.properties.CidrBlock));
  for (const listener of index.ofType('AWS::ElasticLoadBalancingV2::Listener')) {
    const balancer = index.resolve(listener.properties.LoadBalancerArn, listener);
    if (balancer && balancer.properties.Scheme === 'internal') continue;
    const actions = ((listener.properties.DefaultActions ?? []) as Json[])
      .map((action) => String(action.Type))
      .join(', ');
    const policy = listener.properties.SslPolicy ? `, policy ${String(listener.properties.SslPolicy)}` : '';
    entries.push({
      resource: displayName(listener),
      kind: 'listener',
      detail: `${String(listener.properties.Protocol)} :${String(listener.properties.Port)} → ${actions}${policy}`,
    });
  }
  const ingressRules: { owner: TemplateResource; rule: Json }[] = [];
  for (const group of index.ofType('AWS::EC2::SecurityGroup')) {
    for (const rule of (group.properties.SecurityGroupIngress ?? []) as Json[])
      ingressRules.push({ owner: group, rule });
  }
  for (const ingress of index.ofType('AWS::EC2::SecurityGroupIngress')) {
    const owner = index.resolve(ingress.properties.GroupId, ingress) ?? ingress;
    ingressRules.push({ owner, rule: ingress.properties });
  }
  for (const { owner, rule } of ingressRules) {
    const cidr = (rule.CidrIp ?? rule.CidrIpv6) as string | undefined;
    const external =
      (typeof cidr === 'string' && !insideNetworks(cidr, vpcCidrs)) || rule.SourcePrefixListId !== undefined;
    if (!external) continue;
    const ports =
      rule.FromPort === rule.ToPort
        ? String(rule.FromPort)
        : `${String(rule.FromPort)}-${String(rule.ToPort)}`;
    entries.push({
      resource: displayName(owner),
      kind: 'security group rule',
      detail: `${String(rule.IpProtocol)} ${ports} from ${String(cidr ?? rule.SourcePrefixListId)}`,
    });
  }
  return entries;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function roles(index: TemplateIndex): RoleEntry[] {
  const policies = [...index.ofType('AWS::IAM::Policy'), ...index.ofType('AWS::IAM::ManagedPolicy')];
  return index.ofType('AWS::IAM::Role').map((role) => {
    const documents: { doc: Json; from: TemplateResource }[] = [];
    for (const inline of (role.properties.Policies ?? []) as Json[]) {
      documents.push({ doc: inline.PolicyDocument as Json, from: role });
    }
    for (const policy of policies) {
      if (index.resolveAll(policy.properties.Roles, policy).some((target) => target.key === role.key)) {
        documents.push({ doc: policy.properties.PolicyDocument as Json, from: policy });
      }
    }
    const statements = documents.flatMap(({ doc, from }) =>
      ((doc?.Statement ?? []) as Json[]).map((statement) => ({
        effect: String(statement.Effect),
        actions: asList(statement.Action ?? statement.NotAction)
          .map(String)
          .join(', '),
        resources: asList(statement.Resource)
          .map((resource) => describeValue(index, resource, from))
          .join(', '),
      })),
    );
    for (const managed of asList(role.properties.ManagedPolicyArns)) {
      statements.push({
        effect: 'Allow',
        actions: `managed policy ${describeValue(index, managed, role)}`,
        resources: '',
      });
    }
    const principals = ((role.properties.AssumeRolePolicyDocument as Json | undefined)?.Statement ??
      []) as Json[];
    const assumedBy = principals
      .map((statement) => describeValue(index, statement.Principal, role))
      .join('; ');
    return { role: displayName(role), assumedBy, statements };
  });
}

function logGroups(index: TemplateIndex): LogGroupEntry[] {
  return index.ofType('AWS::Logs::LogGroup').map((group) => ({
    logGroup: group.properties.LogGroupName
      ? describeValue(index, group.properties.LogGroupName, group)
      : displayName(group),
    retentionDays:
      group.properties.RetentionInDays === undefined
        ? 'never expires'
        : String(group.properties.RetentionInDays),
    key: keyName(index, group.properties.KmsKeyId, group) ?? 'NOT KMS-ENCRYPTED',
  }));
}

/** The four inventories of an environment, read from its synthesized templates. */
export function buildInventories(index: TemplateIndex): Inventories {
  return {
    dataStores: DATA_STORE_TYPES.flatMap((type) =>
      index
        .ofType(type)
        .map((store) => ({ store: displayName(store), type, key: dataStoreKey(index, store) })),
    ),
    exposure: exposure(index),
    roles: roles(index),
    logGroups: logGroups(index),
  };
}
