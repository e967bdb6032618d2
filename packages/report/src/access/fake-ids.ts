import { createHash } from 'node:crypto';

function digest(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('/')).digest('hex');
}

/** A stable stand-in for an id AWS assigns at deploy time (key id, endpoint id, …), derived from the stack and logical id. */
export function fakeHex(length: number, ...parts: readonly string[]): string {
  return digest(...parts).slice(0, length);
}

/** A stable KMS key id (UUID shape) for a key's stack and logical id. */
export function fakeKeyId(stackName: string, logicalId: string): string {
  const hex = digest('kms', stackName, logicalId);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A stable physical name CloudFormation would generate: `<stack>-<logicalId>-<suffix>`, within a length limit. */
export function fakeName(stackName: string, logicalId: string, maxLength: number, lowerCase = false): string {
  const suffix = fakeHex(12, 'name', stackName, logicalId).toUpperCase();
  const head = `${stackName}-${logicalId}`.slice(0, Math.max(1, maxLength - suffix.length - 1));
  const name = `${head}-${suffix}`;
  return lowerCase ? name.toLowerCase() : name;
}
