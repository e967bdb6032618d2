import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AccessEvaluator, type RowResult } from './access-evaluator.js';
import { accessTables } from './access-tables.js';
import { StagePolicies } from './stage-policies.js';
import { readStageTemplates } from './stage-templates.js';

/** Every row of both tables judged for one environment. */
export interface AccessProof {
  readonly environment: string;
  readonly mustAllow: readonly RowResult[];
  readonly mustDeny: readonly RowResult[];
}

/** The evaluator of one synthesized environment. */
export function accessEvaluator(environment: string, assembly: CloudAssembly): AccessEvaluator {
  return new AccessEvaluator(new StagePolicies(readStageTemplates(environment, assembly)));
}

/** Judges every must-allow and must-deny row of one synthesized environment. */
export async function proveAccess(environment: string, assembly: CloudAssembly): Promise<AccessProof> {
  const evaluator = accessEvaluator(environment, assembly);
  const tables = accessTables(evaluator.policies);
  const judge = (rows: typeof tables.mustAllow, expect: 'allow' | 'deny') =>
    Promise.all(rows.map((row) => evaluator.check(row, expect)));
  return {
    environment,
    mustAllow: await judge(tables.mustAllow, 'allow'),
    mustDeny: await judge(tables.mustDeny, 'deny'),
  };
}
