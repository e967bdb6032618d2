import type { IPolicyValidationPlugin } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { CitadelChecks } from './compliance/index.js';

/**
 * The rule packs every Citadel stage is checked against at synth. Any finding that is
 * not acknowledged next to its construct fails synth. Add a pack here to apply it
 * everywhere.
 */
export function createRulePacks(app: IConstruct): IPolicyValidationPlugin[] {
  return [
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R5Checks(app),
    new PCIDSS321Checks(app),
    new CitadelChecks(app),
  ];
}
