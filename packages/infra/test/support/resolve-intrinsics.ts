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
 * `Fn::Join`) with the strings they stand for in one account and region, so a test can
 * compare a synthesized policy with the values it will hold once deployed.
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
