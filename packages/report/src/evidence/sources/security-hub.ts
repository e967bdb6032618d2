import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import {
  GetFindingsCommand,
  type GetFindingsCommandInput,
  type GetFindingsCommandOutput,
} from '@aws-sdk/client-securityhub';
import { findingAge, type FindingAge } from '../finding-ages.js';
import type { EvidencePeriod } from '../period.js';
import { NEXT_TOKEN, itemsOf, recordPages, type RecordedCall } from '../recorded-call.js';

export interface SecurityHubEvidence {
  readonly region: string;
  readonly findings: RecordedCall<GetFindingsCommandInput, GetFindingsCommandOutput>;
  readonly ages: readonly FindingAge[];
}

/**
 * Every finding that existed during the period: created before its end and updated after
 * its start (Security Hub updates an active finding each time it observes it again, and
 * on resolution), active or archived.
 */
export async function collectSecurityHubFindings(
  client: SecurityHubClient,
  region: string,
  period: EvidencePeriod,
): Promise<SecurityHubEvidence> {
  const request: GetFindingsCommandInput = {
    Filters: {
      CreatedAt: [{ End: period.end.toISOString() }],
      UpdatedAt: [{ Start: period.start.toISOString() }],
    },
    MaxResults: 100,
  };
  const findings = await recordPages(
    { call: 'SecurityHub.GetFindings', action: 'securityhub:GetFindings', region },
    request,
    (r) => client.send(new GetFindingsCommand(r)),
    NEXT_TOKEN,
  );
  const ages = itemsOf(findings, (page) => page.Findings).map((finding) => findingAge(finding, period.end));
  return { region, findings, ages };
}
