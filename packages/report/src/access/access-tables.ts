import type { AccessRow } from './access-row.js';
import { endpointRows, grantRows, logGroupKeyRows, outsideKeyRows } from './derived-rows.js';
import { MUST_ALLOW } from './must-allow.js';
import { MUST_DENY } from './must-deny.js';
import type { StagePolicies } from './stage-policies.js';

/** Both tables for one environment: the fixed rows plus rows derived from its keys, log groups and endpoints. */
export function accessTables(policies: StagePolicies): { mustAllow: AccessRow[]; mustDeny: AccessRow[] } {
  return {
    mustAllow: [...MUST_ALLOW, ...logGroupKeyRows(policies)],
    mustDeny: [...MUST_DENY, ...outsideKeyRows(policies), ...grantRows(policies), ...endpointRows(policies)],
  };
}
