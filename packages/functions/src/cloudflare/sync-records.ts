import { DnsRecordConflictError } from '../errors.js';
import type { CloudflareDnsClient, DnsRecord, DnsRecordInput } from './cloudflare-client.js';

/** One record a resource keeps in the zone. */
export interface DesiredRecord {
  readonly type: 'CNAME';
  /** Fully qualified, lower case, without the trailing dot. */
  readonly name: string;
  readonly content: string;
  /** Seconds; 1 means automatic. */
  readonly ttl: number;
  readonly proxied: boolean;
}

/** Lower case without the trailing dot, as Cloudflare stores names (ACM hands them out with the dot). */
export function normalizeHostname(value: string): string {
  return value.trim().toLowerCase().replace(/\.$/, '');
}

export interface SyncSummary {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
}

type Step =
  | { readonly kind: 'create'; readonly input: DnsRecordInput }
  | { readonly kind: 'update'; readonly id: string; readonly input: DnsRecordInput }
  | { readonly kind: 'unchanged' };

/**
 * Makes the zone hold the desired records. Every record is looked up before anything is
 * written, so a conflict (a record this resource does not own, with other content, at a
 * desired name) fails the whole request with nothing changed. A record with the right
 * content that someone else created is left as it is, and never deleted later.
 */
export async function applyRecords(
  client: CloudflareDnsClient,
  zoneId: string,
  desired: readonly DesiredRecord[],
  ownerComment: string,
  /** Comments of a previous owner whose records this resource takes over (an OwnerTag change). */
  previousOwnerComments: readonly string[] = [],
): Promise<SyncSummary> {
  const steps: Step[] = [];
  const conflicts: string[] = [];
  for (const record of desired) {
    const existing = await client.list(zoneId, record.type, record.name);
    const input: DnsRecordInput = { ...record, comment: ownerComment };
    const owned =
      existing.find((candidate) => candidate.comment === ownerComment) ??
      existing.find((candidate) => previousOwnerComments.includes(candidate.comment ?? ''));
    if (owned) {
      const current = owned.comment === ownerComment && matches(owned, record);
      steps.push(current ? { kind: 'unchanged' } : { kind: 'update', id: owned.id, input });
    } else if (existing.length === 0) {
      steps.push({ kind: 'create', input });
    } else if (existing.some((candidate) => matches(candidate, record))) {
      steps.push({ kind: 'unchanged' });
    } else {
      conflicts.push(
        `${record.type} ${record.name} (points to ${existing.map((candidate) => candidate.content).join(', ')})`,
      );
    }
  }
  if (conflicts.length > 0) {
    throw new DnsRecordConflictError(
      `records exist that this resource does not own (no "${ownerComment}" comment): ${conflicts.join('; ')}; remove them or tag them with that comment`,
    );
  }
  for (const step of steps) {
    if (step.kind === 'create') await client.create(zoneId, step.input);
    if (step.kind === 'update') await client.update(zoneId, step.id, step.input);
  }
  return {
    created: steps.filter((step) => step.kind === 'create').length,
    updated: steps.filter((step) => step.kind === 'update').length,
    unchanged: steps.filter((step) => step.kind === 'unchanged').length,
  };
}

/** Deletes the named records this resource owns; others, and names already gone, are left alone. */
export async function removeRecords(
  client: CloudflareDnsClient,
  zoneId: string,
  records: readonly Pick<DesiredRecord, 'type' | 'name'>[],
  ownerComment: string,
): Promise<number> {
  let deleted = 0;
  for (const record of records) {
    const existing = await client.list(zoneId, record.type, record.name);
    for (const owned of existing.filter((candidate) => candidate.comment === ownerComment)) {
      await client.delete(zoneId, owned.id);
      deleted += 1;
    }
  }
  return deleted;
}

function matches(existing: DnsRecord, desired: DesiredRecord): boolean {
  return (
    normalizeHostname(existing.content) === desired.content &&
    existing.proxied === desired.proxied &&
    // Cloudflare reports proxied records with the automatic TTL whatever was asked.
    (desired.proxied || existing.ttl === desired.ttl)
  );
}
