import { CfnResource, Stack } from 'aws-cdk-lib';

type Json = Record<string, unknown>;

/**
 * The resource's `Properties` exactly as its template will hold them: property names in
 * CloudFormation case, escape-hatch overrides applied, tokens resolved to intrinsics
 * such as `{ Ref }`.
 */
export function templateProperties(node: CfnResource): Json {
  const rendered = Stack.of(node).resolve(node._toCloudFormation()) as { Resources?: Record<string, Json> };
  const [resource] = Object.values(rendered.Resources ?? {});
  return (resource?.Properties ?? {}) as Json;
}

/** Reads a nested object field, or an empty object when it is absent or not an object. */
export function objectAt(value: unknown, key: string): Json {
  if (value === null || typeof value !== 'object') return {};
  const field = (value as Json)[key];
  return field !== null && typeof field === 'object' && !Array.isArray(field) ? (field as Json) : {};
}

/** Reads a nested array field, or an empty array when it is absent or not an array. */
export function arrayAt(value: unknown, key: string): Json[] {
  if (value === null || typeof value !== 'object') return [];
  const field = (value as Json)[key];
  return Array.isArray(field) ? (field as Json[]) : [];
}

/** Reads a resolved value as a boolean; `true` and `'true'` are true, anything else is not. */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** Reads a resolved value as a number, or `undefined` when it is not a literal number. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

/** The logical id a resolved `{ Ref }` or `{ Fn::GetAtt }` points at, if any. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return record.Ref;
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

/** Flattens a resolved string, joining `Fn::Join` parts and replacing other intrinsics by `*`. */
export function flattenString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    const join = (value as Record<string, unknown>)['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(flattenString).join(join[0]);
    }
  }
  return '*';
}

/** Every CloudFormation resource in the stack that holds `node`. */
export function stackResources(node: CfnResource): CfnResource[] {
  return Stack.of(node)
    .node.findAll()
    .filter((construct): construct is CfnResource => CfnResource.isCfnResource(construct));
}

/** The logical id of `node` as it appears in its template. */
export function logicalIdOf(node: CfnResource): string {
  return String(Stack.of(node).resolve(node.logicalId));
}
