import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import {
  DescribeConfigRulesCommand,
  DescribeConformancePacksCommand,
  GetComplianceDetailsByConfigRuleCommand,
  GetConformancePackComplianceDetailsCommand,
  GetResourceConfigHistoryCommand,
  ListDiscoveredResourcesCommand,
  type DescribeConfigRulesCommandOutput,
  ResourceType,
  type EvaluationResult,
  type GetComplianceDetailsByConfigRuleCommandInput,
  type ListDiscoveredResourcesCommandInput,
  type GetResourceConfigHistoryCommandInput,
  type GetResourceConfigHistoryCommandOutput,
} from '@aws-sdk/client-config-service';
import type { EvidencePeriod } from '../period.js';
import { NEXT_TOKEN, itemsOf, recordPages, type RecordedCall } from '../recorded-call.js';

/** The resource type AWS Config records for each change of a resource's compliance with a rule. */
const RESOURCE_COMPLIANCE = ResourceType.ResourceCompliance;
const LOWER_TOKEN = { request: 'nextToken', response: 'nextToken' } as const;

export interface ConfigComplianceEvidence {
  readonly region: string;
  readonly rules: RecordedCall<object, DescribeConfigRulesCommandOutput>;
  readonly evaluationsByRule: readonly RecordedCall<object, unknown>[];
  readonly conformancePacks: RecordedCall<object, unknown>;
  readonly conformancePackCompliance: readonly RecordedCall<object, unknown>[];
  readonly complianceResources: RecordedCall<object, unknown>;
  /** One timeline per ResourceCompliance item: each change of compliance within the period. */
  readonly complianceHistory: readonly RecordedCall<object, GetResourceConfigHistoryCommandOutput>[];
  /** Latest evaluation per rule and result, for the summary. */
  readonly latest: readonly EvaluationResult[];
}

/**
 * AWS Config compliance over the period. GetComplianceSummaryByConfigRule is a snapshot of
 * now, so it is not used: the rules' evaluation results (each with the time it was
 * recorded), the conformance packs' rule results, and the configuration history of the
 * AWS::Config::ResourceCompliance items (one configuration item per change of a
 * resource's compliance, which is the compliance timeline) within the period.
 */
export async function collectConfigCompliance(
  client: ConfigServiceClient,
  region: string,
  period: EvidencePeriod,
): Promise<ConfigComplianceEvidence> {
  const at = (operation: string) => ({
    call: `ConfigService.${operation}`,
    action: `config:${operation}`,
    region,
  });
  const rules = await recordPages(
    at('DescribeConfigRules'),
    {},
    (r) => client.send(new DescribeConfigRulesCommand(r)),
    NEXT_TOKEN,
  );
  const evaluationsByRule = [];
  for (const rule of itemsOf(rules, (page) => page.ConfigRules)) {
    evaluationsByRule.push(
      await recordPages(
        at('GetComplianceDetailsByConfigRule'),
        {
          ConfigRuleName: rule.ConfigRuleName,
          ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'],
          Limit: 100,
        } satisfies GetComplianceDetailsByConfigRuleCommandInput,
        (r) => client.send(new GetComplianceDetailsByConfigRuleCommand(r)),
        NEXT_TOKEN,
      ),
    );
  }
  const conformancePacks = await recordPages(
    at('DescribeConformancePacks'),
    {},
    (r) => client.send(new DescribeConformancePacksCommand(r)),
    NEXT_TOKEN,
  );
  const conformancePackCompliance = [];
  for (const pack of itemsOf(conformancePacks, (page) => page.ConformancePackDetails)) {
    conformancePackCompliance.push(
      await recordPages(
        at('GetConformancePackComplianceDetails'),
        { ConformancePackName: pack.ConformancePackName, Limit: 100 },
        (r) => client.send(new GetConformancePackComplianceDetailsCommand(r)),
        NEXT_TOKEN,
      ),
    );
  }
  const complianceResources = await recordPages(
    at('ListDiscoveredResources'),
    {
      resourceType: RESOURCE_COMPLIANCE,
      includeDeletedResources: true,
      limit: 100,
    } satisfies ListDiscoveredResourcesCommandInput,
    (r) => client.send(new ListDiscoveredResourcesCommand(r)),
    LOWER_TOKEN,
  );
  const complianceHistory = [];
  for (const resource of itemsOf(complianceResources, (page) => page.resourceIdentifiers)) {
    complianceHistory.push(
      await recordPages(
        at('GetResourceConfigHistory'),
        {
          resourceType: RESOURCE_COMPLIANCE,
          resourceId: resource.resourceId,
          earlierTime: period.start,
          laterTime: period.end,
          chronologicalOrder: 'Forward',
          limit: 100,
        } satisfies GetResourceConfigHistoryCommandInput,
        (r) => client.send(new GetResourceConfigHistoryCommand(r)),
        LOWER_TOKEN,
      ),
    );
  }
  const latest = evaluationsByRule.flatMap((call) =>
    itemsOf(
      call as RecordedCall<object, { EvaluationResults?: EvaluationResult[] }>,
      (page) => page.EvaluationResults,
    ),
  );
  return {
    region,
    rules,
    evaluationsByRule,
    conformancePacks,
    conformancePackCompliance,
    complianceResources,
    complianceHistory,
    latest,
  };
}
