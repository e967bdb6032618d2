import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from 'node-sarif-builder';
import type { Log, Result } from 'sarif';
import type { RuleResult, RuleResultLog } from './rule-recorder.js';

const LEVELS: Record<RuleResult['severity'], Result.level> = {
  error: 'error',
  warning: 'warning',
  note: 'note',
};

/**
 * Every rule result of one environment as SARIF 2.1.0: failures at the rule's level,
 * acknowledged findings as suppressed results carrying the reason, passes as `none`.
 * Locations point at the construct path (logical location) and the environment's
 * infrastructure code (`artifactUri`).
 */
export function buildSarif(
  log: RuleResultLog,
  environment: string,
  artifactUri: string,
  version: string,
): Log {
  const run = new SarifRunBuilder().initSimple({
    toolDriverName: 'citadel-compliance',
    toolDriverVersion: version,
    url: 'https://github.com/cdklabs/cdk-nag',
  });
  for (const [ruleId, { info }] of [...log.rulesSeen].sort(([a], [b]) => a.localeCompare(b))) {
    run.addRule(new SarifRuleBuilder().initSimple({ ruleId, shortDescriptionText: info }));
  }
  for (const result of log.results) {
    const builder = new SarifResultBuilder().initSimple({
      level: result.outcome === 'pass' ? 'none' : LEVELS[result.severity],
      messageText:
        result.outcome === 'pass'
          ? `${result.path} passes ${result.ruleId}.`
          : `${result.path}${result.finding ? ` [${result.finding}]` : ''}: ${result.info}`,
      ruleId: result.ruleId,
      fileUri: artifactUri,
    });
    const sarifResult = builder.result;
    sarifResult.kind = result.outcome === 'pass' ? 'pass' : 'fail';
    sarifResult.locations = (sarifResult.locations ?? []).map((location) => ({
      ...location,
      logicalLocations: [{ fullyQualifiedName: result.path, kind: 'resource' }],
    }));
    sarifResult.properties = {
      environment,
      resourceType: result.resourceType,
      ...(result.finding ? { finding: result.finding } : {}),
    };
    if (result.outcome === 'acknowledged') {
      sarifResult.suppressions = [
        { kind: 'inSource', status: 'accepted', justification: result.reason ?? '' },
      ];
    }
    run.addResult(builder);
  }
  const sarif = new SarifBuilder();
  sarif.addRun(run);
  return sarif.buildSarifOutput();
}
