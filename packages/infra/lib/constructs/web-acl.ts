import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { LogPolicy } from '../platform/platform.js';
import { EncryptedLogGroup } from './encrypted-log-group.js';
import { InvalidPropError } from '../invalid-prop-error.js';

/** AWS managed rule groups every Citadel web ACL evaluates, in priority order. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/** WAF only delivers logs to CloudWatch log groups whose name starts with this. */
export const WAF_LOG_GROUP_PREFIX = 'aws-waf-logs-';

export interface WebAclProps {
  /** ARN of the load balancer the web ACL protects. */
  readonly resourceArn: string;
  /** Name of the web ACL and of its CloudWatch metrics. */
  readonly name: string;
  /** Requests one client IP may send in a 5-minute window before it is blocked (100–2,000,000,000). */
  readonly rateLimitPer5Min: number;
  /** Key and retention of the WAF log group: the environment's log policy. */
  readonly logPolicy: LogPolicy;
}

/**
 * A regional WAFv2 web ACL on the load balancer: AWS managed rule groups (IP reputation,
 * common, known bad inputs, SQL injection) and a per-IP rate limit that blocks, logging
 * to a KMS-encrypted `aws-waf-logs-*` log group with the query string and the Authorization
 * and Cookie headers redacted.
 */
export class WebAcl extends Construct {
  readonly webAcl: CfnWebACL;
  readonly logGroup: LogGroup;
  /** Value of the `WebACL` dimension of the AWS/WAFV2 metrics. */
  readonly metricName: string;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    if (
      !Number.isInteger(props.rateLimitPer5Min) ||
      props.rateLimitPer5Min < 100 ||
      props.rateLimitPer5Min > 2_000_000_000
    ) {
      throw new InvalidPropError(
        this.node.path,
        'rateLimitPer5Min',
        props.rateLimitPer5Min,
        'use a whole number from 100 to 2,000,000,000',
      );
    }
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(props.name)) {
      throw new InvalidPropError(
        this.node.path,
        'name',
        props.name,
        'use only letters, digits, "-" and "_" (1–100 characters)',
      );
    }
    this.metricName = props.name;

    const managedRules: CfnWebACL.RuleProperty[] = MANAGED_RULE_GROUPS.map((group, index) => ({
      name: group,
      priority: index === 0 ? 0 : index + 1,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group } },
      visibilityConfig: visibility(`${props.name}-${group}`),
    }));
    const rateRule: CfnWebACL.RuleProperty = {
      name: 'RateLimitPerIp',
      priority: 1,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: props.rateLimitPer5Min, aggregateKeyType: 'IP' } },
      visibilityConfig: visibility(`${props.name}-RateLimitPerIp`),
    };

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rules: [...managedRules, rateRule].sort((a, b) => a.priority - b.priority),
      visibilityConfig: visibility(props.name),
    });
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.resourceArn,
      webAclArn: this.webAcl.attrArn,
    });

    this.logGroup = new EncryptedLogGroup(this, 'Logs', {
      logGroupName: `${WAF_LOG_GROUP_PREFIX}${props.name}`,
      encryptionKey: props.logPolicy.key,
      retentionDays: props.logPolicy.retentionDays,
    }).logGroup;
    new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the trailing `:*` that LogGroup.logGroupArn carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // Query strings are client-controlled and may carry card numbers or patient details;
      // credentials travel in these two headers.
      redactedFields: [
        { queryString: {} },
        { singleHeader: { Name: 'authorization' } },
        { singleHeader: { Name: 'cookie' } },
      ],
    });
  }
}

function visibility(metricName: string): CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}
