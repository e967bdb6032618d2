import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { flattenString } from '@citadel/infra/compliance/values';
import { displayName } from './inventories.js';
import type { TemplateIndex, TemplateResource } from './template-index.js';

type Json = Record<string, unknown>;

/** Kinds of diagram node; each becomes the SVG class `kind-<kind>`. */
export type NodeKind =
  | 'client'
  | 'waf'
  | 'alb'
  | 'ecs'
  | 'rds'
  | 'lambda'
  | 'sqs'
  | 'endpoints'
  | 'kms'
  | 'logs'
  | 'bucket'
  | 'sns'
  | 'backup'
  | 'secret'
  | 'ecr';

export interface DiagramNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: string;
  /** Cluster the node is drawn in: a subnet tier, `regional` or `internet`. */
  readonly cluster: string;
}
export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** Dashed edges carry logs rather than requests or data. */
  readonly style?: 'dashed';
  /** Draw the edge from the border of this cluster instead of the node (`vpc`). */
  readonly fromCluster?: string;
}
export interface Diagram {
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
  /** Cluster id -> label, for tiers (`tier-edge` -> `edge subnets (public)`). */
  readonly clusters: ReadonlyMap<string, string>;
}

const COLORS: Record<NodeKind, string> = {
  client: '#ffffff',
  waf: '#fde2e2',
  alb: '#e3ecfb',
  ecs: '#fff1d6',
  rds: '#dcefe0',
  lambda: '#fff1d6',
  sqs: '#efe3fb',
  endpoints: '#eef2f5',
  kms: '#fbf3c8',
  logs: '#e6f4f7',
  bucket: '#e6f4f7',
  sns: '#efe3fb',
  backup: '#dcefe0',
  secret: '#fbf3c8',
  ecr: '#eef2f5',
};

function nodeId(prefix: string, resource: TemplateResource): string {
  return `${prefix}_${resource.logicalId}`.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Joins items with commas, `perLine` items to a line. */
function wrap(items: readonly string[], perLine: number): string {
  const lines: string[] = [];
  for (let start = 0; start < items.length; start += perLine)
    lines.push(items.slice(start, start + perLine).join(', '));
  return lines.join('\n');
}

/** Each distinct name once, with `×n` when several resources share it. */
function countedNames(names: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, count]) => (count > 1 ? `${name} ×${count}` : name));
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Policy statements attached to a role (inline and `AWS::IAM::Policy`). */
function roleStatements(
  index: TemplateIndex,
  role: TemplateResource | undefined,
): { statement: Json; from: TemplateResource }[] {
  if (!role) return [];
  const found: { statement: Json; from: TemplateResource }[] = [];
  for (const inline of (role.properties.Policies ?? []) as Json[]) {
    for (const statement of ((inline.PolicyDocument as Json)?.Statement ?? []) as Json[])
      found.push({ statement, from: role });
  }
  for (const policy of index.ofType('AWS::IAM::Policy')) {
    if (!index.resolveAll(policy.properties.Roles, policy).some((target) => target.key === role.key))
      continue;
    for (const statement of ((policy.properties.PolicyDocument as Json)?.Statement ?? []) as Json[]) {
      found.push({ statement, from: policy });
    }
  }
  return found;
}

function allows(statements: { statement: Json }[], action: string): boolean {
  return statements.some(
    ({ statement }) =>
      statement.Effect === 'Allow' && asList(statement.Action).some((candidate) => candidate === action),
  );
}

function allowedTargets(
  index: TemplateIndex,
  statements: { statement: Json; from: TemplateResource }[],
  action: string,
): TemplateResource[] {
  return statements
    .filter(({ statement }) => statement.Effect === 'Allow' && asList(statement.Action).includes(action))
    .flatMap(({ statement, from }) => index.resolveAll(asList(statement.Resource), from));
}

/**
 * Builds the architecture diagram of one environment from its templates: subnet tiers,
 * edge (WAF, load balancer), workloads (ECS services, Lambda functions), data stores,
 * VPC endpoints, KMS keys and log destinations, with the data flows between them.
 */
export function buildDiagram(index: TemplateIndex): Diagram {
  const nodes = new Map<string, DiagramNode>();
  const edges: DiagramEdge[] = [];
  const clusters = new Map<string, string>([
    ['internet', 'Internet'],
    ['edge', 'Edge protection'],
    ['messaging', 'Messaging'],
    ['storage', 'Logs, backups, secrets and images'],
    ['deploy', 'Deploy-time custom resources'],
    ['keys', 'Encryption'],
  ]);
  const byResource = new Map<string, string>();
  const add = (node: DiagramNode, ...resources: TemplateResource[]): void => {
    nodes.set(node.id, node);
    for (const resource of resources) byResource.set(resource.key, node.id);
  };
  const edge = (
    from: string | undefined,
    to: string | undefined,
    label: string,
    style?: 'dashed',
    fromCluster?: string,
  ): void => {
    if (!from || !to || from === to || !nodes.has(from) || !nodes.has(to)) return;
    if (edges.some((existing) => existing.from === from && existing.to === to && existing.label === label))
      return;
    edges.push({ from, to, label, ...(style ? { style } : {}), ...(fromCluster ? { fromCluster } : {}) });
  };
  const nodeOf = (resource: TemplateResource | undefined): string | undefined =>
    resource ? byResource.get(resource.key) : undefined;

  // Subnet tiers, named by the CDK subnet group and its type.
  const tierOfSubnet = new Map<string, string>();
  for (const subnet of index.ofType('AWS::EC2::Subnet')) {
    const tags = (subnet.properties.Tags ?? []) as { Key: string; Value: string }[];
    const name = tags.find((tag) => tag.Key === 'aws-cdk:subnet-name')?.Value ?? 'subnets';
    const type = tags.find((tag) => tag.Key === 'aws-cdk:subnet-type')?.Value ?? 'Private';
    const cluster = `tier-${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
    clusters.set(
      cluster,
      `${name} subnets (${type === 'Public' ? 'public' : type === 'Isolated' ? 'private isolated' : 'private'})`,
    );
    tierOfSubnet.set(subnet.key, cluster);
  }
  const tierOf = (subnetRefs: unknown, from: TemplateResource, fallback = 'deploy'): string => {
    for (const subnet of index.resolveAll(asList(subnetRefs), from)) {
      const tier = tierOfSubnet.get(subnet.key);
      if (tier) return tier;
    }
    return fallback;
  };

  // Which customer-managed key protects a resource, by alias (`alias/citadel/dev/messages` -> `messages`).
  const keyLabel = (resource: TemplateResource): string => {
    const p = resource.properties;
    const sse = (
      ((p.BucketEncryption as Json | undefined)?.ServerSideEncryptionConfiguration ?? []) as Json[]
    )[0];
    const refs = [
      p.KmsKeyId,
      p.KmsMasterKeyId,
      p.EncryptionKeyArn,
      (p.EncryptionConfiguration as Json | undefined)?.KmsKey,
      (sse?.ServerSideEncryptionByDefault as Json | undefined)?.KMSMasterKeyID,
    ];
    for (const ref of refs) {
      const key = ref === undefined ? undefined : index.resolve(ref, resource);
      if (key?.type !== 'AWS::KMS::Key') continue;
      const alias = aliasOf(key);
      return `key: ${alias ? alias.split('/').pop() : displayName(key)}`;
    }
    return sse ? 'SSE-S3' : 'no customer key';
  };
  const aliasOf = (key: TemplateResource): string | undefined => {
    const alias = index
      .ofType('AWS::KMS::Alias')
      .find((candidate) => index.resolve(candidate.properties.TargetKeyId, candidate)?.key === key.key);
    return alias ? String(alias.properties.AliasName) : undefined;
  };

  add({ id: 'client', kind: 'client', label: 'Clients\n(HTTPS)', cluster: 'internet' });

  for (const acl of index.ofType('AWS::WAFv2::WebACL')) {
    const rules = (acl.properties.Rules ?? []) as Json[];
    add(
      {
        id: nodeId('waf', acl),
        kind: 'waf',
        label: `WAF web ACL\n${rules.length} rules incl. rate limit`,
        cluster: 'edge',
      },
      acl,
    );
  }
  for (const balancer of index.ofType('AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    const listeners = index
      .ofType('AWS::ElasticLoadBalancingV2::Listener')
      .filter(
        (listener) => index.resolve(listener.properties.LoadBalancerArn, listener)?.key === balancer.key,
      )
      .map((listener) => `${String(listener.properties.Protocol)}:${String(listener.properties.Port)}`);
    add(
      {
        id: nodeId('alb', balancer),
        kind: 'alb',
        label: `Application Load Balancer\n${listeners.join(', ') || 'no listeners'}`,
        cluster: tierOf(balancer.properties.Subnets, balancer, 'edge'),
      },
      balancer,
    );
  }
  for (const service of index.ofType('AWS::ECS::Service')) {
    const network = ((service.properties.NetworkConfiguration as Json)?.AwsvpcConfiguration ?? {}) as Json;
    add(
      {
        id: nodeId('ecs', service),
        kind: 'ecs',
        label: `ECS Fargate service\n${displayName(service)}`,
        cluster: tierOf(network.Subnets, service, 'deploy'),
      },
      service,
    );
  }
  for (const database of index.ofType('AWS::RDS::DBInstance')) {
    const subnetGroup = index.resolve(database.properties.DBSubnetGroupName, database);
    const multiAz = database.properties.MultiAZ === true ? 'Multi-AZ' : 'single-AZ';
    add(
      {
        id: nodeId('rds', database),
        kind: 'rds',
        label: `RDS ${String(database.properties.Engine)} (${multiAz})\nIAM auth, TLS, ${keyLabel(database)}`,
        cluster: subnetGroup ? tierOf(subnetGroup.properties.SubnetIds, subnetGroup, 'storage') : 'storage',
      },
      database,
    );
  }
  // Functions in the VPC are drawn one by one; the rest run only at deploy time and are folded into one node.
  const deployTimeFunctions: TemplateResource[] = [];
  for (const fn of index.ofType('AWS::Lambda::Function')) {
    const vpcConfig = (fn.properties.VpcConfig ?? {}) as Json;
    if (vpcConfig.SubnetIds === undefined) {
      deployTimeFunctions.push(fn);
      continue;
    }
    add(
      {
        id: nodeId('lambda', fn),
        kind: 'lambda',
        label: `Lambda\n${displayName(fn)}`,
        cluster: tierOf(vpcConfig.SubnetIds, fn),
      },
      fn,
    );
  }
  if (deployTimeFunctions.length > 0) {
    add(
      {
        id: 'lambda_deploy_time',
        kind: 'lambda',
        label: `Lambda (${deployTimeFunctions.length})\n${wrap(
          countedNames(deployTimeFunctions.map((fn) => displayName(fn).split('/').slice(0, 2).join('/'))),
          1,
        )}`,
        cluster: 'deploy',
      },
      ...deployTimeFunctions,
    );
  }
  for (const queue of index.ofType('AWS::SQS::Queue')) {
    add(
      {
        id: nodeId('sqs', queue),
        kind: 'sqs',
        label: `SQS queue\n${displayName(queue)}\n${keyLabel(queue)}`,
        cluster: 'messaging',
      },
      queue,
    );
  }
  for (const topic of index.ofType('AWS::SNS::Topic')) {
    add(
      {
        id: nodeId('sns', topic),
        kind: 'sns',
        label: `SNS topic\n${displayName(topic)}\n${keyLabel(topic)}`,
        cluster: 'messaging',
      },
      topic,
    );
  }
  for (const vault of index.ofType('AWS::Backup::BackupVault')) {
    const locked = vault.properties.LockConfiguration ? 'locked' : 'not locked';
    add(
      {
        id: nodeId('backup', vault),
        kind: 'backup',
        label: `AWS Backup vault\n${locked}, ${keyLabel(vault)}`,
        cluster: 'storage',
      },
      vault,
    );
  }
  for (const secret of index.ofType('AWS::SecretsManager::Secret')) {
    add(
      {
        id: nodeId('secret', secret),
        kind: 'secret',
        label: `Secret\n${displayName(secret)}\n${keyLabel(secret)}`,
        cluster: 'storage',
      },
      secret,
    );
  }
  for (const repository of index.ofType('AWS::ECR::Repository')) {
    add(
      {
        id: nodeId('ecr', repository),
        kind: 'ecr',
        label: `ECR repository\n${keyLabel(repository)}`,
        cluster: 'storage',
      },
      repository,
    );
  }

  // VPC endpoints: one node listing every service, drawn in the tier of the interface endpoints.
  const endpoints = index.ofType('AWS::EC2::VPCEndpoint');
  if (endpoints.length > 0) {
    const services = endpoints.map((endpoint) =>
      flattenString(endpoint.properties.ServiceName).replace(/^.*?amazonaws\.[^.]+\./, ''),
    );
    const anchor = endpoints.find((endpoint) => endpoint.properties.SubnetIds !== undefined);
    add(
      {
        id: 'endpoints',
        kind: 'endpoints',
        label: `VPC endpoints (${endpoints.length})\n${wrap([...new Set(services)].sort(), 4)}`,
        cluster: anchor ? tierOf(anchor.properties.SubnetIds, anchor) : 'storage',
      },
      ...endpoints,
    );
  }

  // KMS keys in one node, by alias; which key protects what is on each data store's label.
  const keys = index.ofType('AWS::KMS::Key');
  if (keys.length > 0) {
    const lines = keys.map(
      (key) =>
        `${aliasOf(key) ?? displayName(key)} (${key.properties.EnableKeyRotation === true ? 'rotating' : 'NOT rotating'})`,
    );
    add(
      {
        id: 'kms',
        kind: 'kms',
        label: `KMS customer-managed keys (${keys.length})\n${lines.join('\n')}`,
        cluster: 'keys',
      },
      ...keys,
    );
  }

  // Log destinations: CloudWatch Logs (all groups) and the buckets logs are written to.
  const logGroups = index.ofType('AWS::Logs::LogGroup');
  if (logGroups.length > 0) {
    const keys = [...new Set(logGroups.map(keyLabel))].join(', ');
    add(
      {
        id: 'logs',
        kind: 'logs',
        label: `CloudWatch Logs\n${logGroups.length} log groups\n${keys}`,
        cluster: 'storage',
      },
      ...logGroups,
    );
  }
  const logBuckets = new Set<string>();
  for (const flowLog of index.ofType('AWS::EC2::FlowLog')) {
    const destination = index.resolve(flowLog.properties.LogDestination, flowLog);
    if (destination?.type === 'AWS::S3::Bucket') logBuckets.add(destination.key);
  }
  for (const balancer of index.ofType('AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    for (const attribute of (balancer.properties.LoadBalancerAttributes ?? []) as Json[]) {
      if (attribute.Key !== 'access_logs.s3.bucket') continue;
      const bucket = index.resolve(attribute.Value, balancer);
      if (bucket) logBuckets.add(bucket.key);
    }
  }
  for (const bucket of index.ofType('AWS::S3::Bucket')) {
    const target = index.resolve(
      ((bucket.properties.LoggingConfiguration ?? {}) as Json).DestinationBucketName,
      bucket,
    );
    if (target) logBuckets.add(target.key);
  }
  for (const bucket of index.ofType('AWS::S3::Bucket').filter((candidate) => logBuckets.has(candidate.key))) {
    add(
      {
        id: nodeId('bucket', bucket),
        kind: 'bucket',
        label: `S3 log bucket\n${displayName(bucket)}\n${keyLabel(bucket)}`,
        cluster: 'storage',
      },
      bucket,
    );
  }

  // Data flows.
  const acls = index.ofType('AWS::WAFv2::WebACLAssociation');
  for (const balancer of index.ofType('AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    const association = acls.find(
      (candidate) => index.resolve(candidate.properties.ResourceArn, candidate)?.key === balancer.key,
    );
    const acl = association ? index.resolve(association.properties.WebACLArn, association) : undefined;
    if (acl) {
      edge('client', nodeOf(acl), 'HTTPS');
      edge(nodeOf(acl), nodeOf(balancer), 'allowed requests');
    } else {
      edge('client', nodeOf(balancer), 'HTTPS');
    }
  }
  const forwardsTo = (actions: unknown, group: TemplateResource, owner: TemplateResource): boolean =>
    ((actions ?? []) as Json[]).some((action) => {
      const groups = [
        action.TargetGroupArn,
        ...(((action.ForwardConfig as Json | undefined)?.TargetGroups as Json[]) ?? []).map(
          (entry) => entry.TargetGroupArn,
        ),
      ];
      return groups.some((ref) => ref !== undefined && index.resolve(ref, owner)?.key === group.key);
    });
  // A listener forwards to a group by its default action or, under a traffic-shifting
  // release, by a listener rule whose weights ECS rewrites.
  const balancersForwardingTo = (group: TemplateResource): TemplateResource[] =>
    index.ofType('AWS::ElasticLoadBalancingV2::Listener').flatMap((listener) => {
      const byRule = index
        .ofType('AWS::ElasticLoadBalancingV2::ListenerRule')
        .some(
          (rule) =>
            index.resolve(rule.properties.ListenerArn, rule)?.key === listener.key &&
            forwardsTo(rule.properties.Actions, group, rule),
        );
      const forwards = byRule || forwardsTo(listener.properties.DefaultActions, group, listener);
      const balancer = forwards ? index.resolve(listener.properties.LoadBalancerArn, listener) : undefined;
      return balancer ? [balancer] : [];
    });
  const workloads: { node: string | undefined; role: TemplateResource | undefined; inVpc: boolean }[] = [];
  for (const service of index.ofType('AWS::ECS::Service')) {
    const taskDefinition = index.resolve(service.properties.TaskDefinition, service);
    const role = taskDefinition
      ? index.resolve(taskDefinition.properties.TaskRoleArn, taskDefinition)
      : undefined;
    workloads.push({ node: nodeOf(service), role, inVpc: true });
    for (const target of (service.properties.LoadBalancers ?? []) as Json[]) {
      const group = index.resolve(target.TargetGroupArn, service);
      if (!group) continue;
      const label = `${String(group.properties.Protocol ?? 'HTTP')}:${String(target.ContainerPort ?? group.properties.Port)} to tasks`;
      for (const balancer of balancersForwardingTo(group)) edge(nodeOf(balancer), nodeOf(service), label);
    }
    for (const container of (taskDefinition?.properties.ContainerDefinitions ?? []) as Json[]) {
      const options = (((container.LogConfiguration as Json | undefined)?.Options ?? {}) as Json)[
        'awslogs-group'
      ];
      if (options !== undefined) edge(nodeOf(service), 'logs', 'logs', 'dashed');
      for (const secret of (container.Secrets ?? []) as Json[]) {
        edge(nodeOf(service), nodeOf(index.resolve(secret.ValueFrom, taskDefinition!)), 'reads secret');
      }
    }
  }
  for (const fn of index.ofType('AWS::Lambda::Function')) {
    workloads.push({
      node: nodeOf(fn),
      role: index.resolve(fn.properties.Role, fn),
      inVpc: fn.properties.VpcConfig !== undefined,
    });
    edge(nodeOf(fn), 'logs', 'logs', 'dashed');
  }
  for (const { node, role, inVpc } of workloads) {
    const statements = roleStatements(index, role);
    if (allows(statements, 'rds-db:connect')) {
      for (const database of index.ofType('AWS::RDS::DBInstance'))
        edge(node, nodeOf(database), 'IAM auth + TLS');
    }
    for (const queue of allowedTargets(index, statements, 'sqs:SendMessage'))
      edge(node, nodeOf(queue), 'SendMessage');
    for (const secret of allowedTargets(index, statements, 'secretsmanager:GetSecretValue'))
      edge(node, nodeOf(secret), 'reads secret');
    if (inVpc) edge(node, 'endpoints', 'AWS APIs');
  }
  for (const mapping of index.ofType('AWS::Lambda::EventSourceMapping')) {
    edge(
      nodeOf(index.resolve(mapping.properties.EventSourceArn, mapping)),
      nodeOf(index.resolve(mapping.properties.FunctionName, mapping)),
      'batches',
    );
  }
  for (const queue of index.ofType('AWS::SQS::Queue')) {
    const redrive = (queue.properties.RedrivePolicy ?? {}) as Json;
    edge(nodeOf(queue), nodeOf(index.resolve(redrive.deadLetterTargetArn, queue)), 'after max receives');
  }
  for (const database of index.ofType('AWS::RDS::DBInstance')) {
    if (database.properties.EnableCloudwatchLogsExports !== undefined)
      edge(nodeOf(database), 'logs', 'logs', 'dashed');
    for (const vault of index.ofType('AWS::Backup::BackupVault'))
      edge(nodeOf(database), nodeOf(vault), 'backups');
  }
  for (const flowLog of index.ofType('AWS::EC2::FlowLog')) {
    const destination =
      index.resolve(flowLog.properties.LogDestination, flowLog) ??
      index.resolve(flowLog.properties.LogGroupName, flowLog);
    edge(
      'endpoints',
      destination?.type === 'AWS::S3::Bucket' ? nodeOf(destination) : 'logs',
      'VPC flow logs',
      'dashed',
      'vpc',
    );
  }
  for (const balancer of index.ofType('AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    for (const attribute of (balancer.properties.LoadBalancerAttributes ?? []) as Json[]) {
      if (attribute.Key === 'access_logs.s3.bucket')
        edge(nodeOf(balancer), nodeOf(index.resolve(attribute.Value, balancer)), 'access logs', 'dashed');
    }
  }
  for (const logging of index.ofType('AWS::WAFv2::LoggingConfiguration')) {
    edge(nodeOf(index.resolve(logging.properties.ResourceArn, logging)), 'logs', 'WAF logs', 'dashed');
  }
  if (
    index.ofType('AWS::Logs::MetricFilter').length > 0 ||
    index.ofType('AWS::CloudWatch::Alarm').length > 0
  ) {
    for (const topic of index.ofType('AWS::SNS::Topic'))
      edge('logs', nodeOf(topic), 'metric filters → alarms');
  }

  return { nodes: [...nodes.values()], edges, clusters };
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The diagram in Graphviz DOT, left to right, one cluster per tier. */
export function toDot(diagram: Diagram): string {
  const lines = [
    'digraph citadel {',
    '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.25, ranksep=0.5, bgcolor="transparent", compound=true];',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, color="#44546a", penwidth=1.2];',
    '  edge [fontname="Helvetica", fontsize=9, color="#44546a", fontcolor="#2b3a4a", arrowsize=0.7];',
  ];
  const tiers = [...diagram.clusters.keys()].filter((id) => id.startsWith('tier-'));
  const nodeLine = (node: DiagramNode, indent: string): string =>
    `${indent}${node.id} [id=${quote(`node-${node.id}`)}, class=${quote(`kind-${node.kind}`)}, label=${quote(node.label)}, fillcolor=${quote(COLORS[node.kind])}];`;
  const clusterBlock = (id: string, indent: string): string[] => {
    const members = diagram.nodes.filter((node) => node.cluster === id);
    if (members.length === 0) return [];
    return [
      `${indent}subgraph cluster_${id.replace(/[^A-Za-z0-9_]/g, '_')} {`,
      `${indent}  label=${quote(diagram.clusters.get(id) ?? id)}; style="rounded,dashed"; color="#8a9bb0"; fontcolor="#2b3a4a";`,
      ...members.map((node) => nodeLine(node, `${indent}  `)),
      `${indent}}`,
    ];
  };
  lines.push(...clusterBlock('internet', '  '));
  const vpcTiers = tiers.flatMap((id) => clusterBlock(id, '    '));
  if (vpcTiers.length > 0) {
    lines.push(
      '  subgraph cluster_vpc {',
      '    label="VPC (no NAT gateway, no internet route from private subnets)"; style="rounded"; color="#2f6db5"; fontcolor="#2f6db5";',
      ...vpcTiers,
      '  }',
    );
  }
  for (const id of ['edge', 'messaging', 'storage', 'deploy', 'keys']) lines.push(...clusterBlock(id, '  '));
  for (const edge of diagram.edges) {
    const dashed = edge.style === 'dashed' ? ', style=dashed, color="#8a9bb0", fontcolor="#5b6b7c"' : '';
    const style =
      edge.fromCluster && vpcTiers.length > 0 ? `${dashed}, ltail=cluster_${edge.fromCluster}` : dashed;
    lines.push(`  ${edge.from} -> ${edge.to} [label=${quote(edge.label)}${style}];`);
  }
  lines.push('}');
  return lines.join('\n');
}

let graphviz: Promise<Graphviz> | undefined;

/** Lays the diagram out with Graphviz (WebAssembly) and returns a standalone SVG document. */
export async function renderSvg(diagram: Diagram): Promise<string> {
  graphviz ??= Graphviz.load();
  return (await graphviz).dot(toDot(diagram));
}

/** The SVG element alone, sized by its container (for inlining in HTML). */
export function inlineSvg(svg: string): string {
  return svg
    .replace(/^[\s\S]*?(<svg)/, '$1')
    .replace(
      /<svg width="[^"]*" height="[^"]*"/,
      '<svg role="img" aria-label="Architecture diagram" class="architecture"',
    );
}
