import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { HIPAA_ACCESS, PCI_7_2_1, PCI_7_2_2, proveAccess, type RowResult } from '../access/index.js';

/** Controls the "Who can do what" section gives evidence for. */
export const ACCESS_CONTROLS = [PCI_7_2_1, PCI_7_2_2, HIPAA_ACCESS] as const;

/** One judged request, named the way a reader recognizes it. */
export interface AccessLine {
  /** The principal: `app/ApiTaskRole`, `cloudwatch.amazonaws.com`, … */
  readonly who: string;
  readonly action: string;
  /** The resource as the table names it (`app/PaymentsQueue`), with its concrete ARN when resolved. */
  readonly resource: string;
  readonly resolvedResource?: string;
  readonly via?: string;
  readonly outcome: RowResult['outcome'];
  /** Whether the outcome is the one the design requires. */
  readonly asRequired: boolean;
  readonly why: string;
  readonly frameworks: readonly string[];
}

/** The "Who can do what" section of one environment's report. */
export interface AccessSection {
  readonly controls: readonly string[];
  /** Must-allow results grouped by principal. */
  readonly principals: readonly { readonly who: string; readonly may: readonly AccessLine[] }[];
  readonly mustDeny: readonly AccessLine[];
  readonly counts: {
    readonly allowed: number;
    readonly denied: number;
    readonly skipped: number;
    readonly notAsRequired: number;
  };
}

/** `{app:ApiTaskRole.Arn}/x` → `app/ApiTaskRole/x`: placeholders shown by stack and construct id. */
export function readableName(text: string): string {
  return text
    .replace(/\{([\w*-]+):([\w*]+)\.[\w.]+\}/g, (_match, layer: string, id: string) => `${layer}/${id}`)
    .replace(/\{(\w+)\}/g, '<$1>');
}

function line(result: RowResult): AccessLine {
  const { row } = result;
  return {
    who: readableName(row.who),
    action: row.action,
    resource: readableName(row.resource),
    ...(result.resolved ? { resolvedResource: result.resolved.resource } : {}),
    ...(row.via ? { via: row.via } : {}),
    outcome: result.outcome,
    asRequired: result.passed,
    why: row.why,
    frameworks: row.frameworks,
  };
}

/** Judges both access tables for one environment and arranges them for the report. */
export async function buildAccessSection(
  environment: string,
  assembly: CloudAssembly,
): Promise<AccessSection> {
  const proof = await proveAccess(environment, assembly);
  const allowLines = proof.mustAllow.map(line);
  const principals = [...new Set(allowLines.map((entry) => entry.who))].map((who) => ({
    who,
    may: allowLines.filter((entry) => entry.who === who),
  }));
  const all = [...proof.mustAllow, ...proof.mustDeny];
  return {
    controls: ACCESS_CONTROLS,
    principals,
    mustDeny: proof.mustDeny.map(line),
    counts: {
      allowed: all.filter((result) => result.outcome === 'allowed').length,
      denied: all.filter((result) => result.outcome === 'denied').length,
      skipped: all.filter((result) => result.outcome === 'skipped').length,
      notAsRequired: all.filter((result) => !result.passed).length,
    },
  };
}

/** The outcome as the report prints it: `allowed`, `denied`, `skipped (absent)`, flagged when not as required. */
export function outcomeText(entry: AccessLine): string {
  const outcome = entry.outcome === 'skipped' ? 'skipped (resource absent)' : entry.outcome;
  return entry.asRequired ? outcome : `${outcome} — NOT AS REQUIRED`;
}
