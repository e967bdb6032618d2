import type { CfnResource } from 'aws-cdk-lib';
import type { NagRuleResult } from 'cdk-nag';
import {
  AlbHttpListenerRedirectsOnly,
  AlbHttpsListenerTls12,
  BackupVaultLocked,
  LogGroupRetentionAndKms,
  MIN_LOG_RETENTION_DAYS,
  PrivateSubnetsUseEndpoints,
  QueueAndTopicCustomerManagedKey,
  RdsInstanceIamAuth,
  RdsParameterGroupForcesSsl,
  REQUIRED_ENDPOINT_SERVICES,
  TaskDefinitionNonRootReadOnly,
  WebAclHasRateRule,
} from './rules/index.js';
import type { PciDssRequirementId } from './pci-dss-v4.js';

/** One rule of Citadel's pack, with the text a failing finding shows. */
export interface CitadelRule {
  /** Rule id suffix; the full id is `Citadel-<suffix>`. */
  readonly suffix: string;
  /** The check, a pure function of one CloudFormation resource (and its stack). */
  readonly rule: (node: CfnResource) => NagRuleResult;
  /** What is wrong when the rule fails. */
  readonly info: string;
  /** Why the rule exists. */
  readonly explanation: string;
  /** The PCI DSS v4.0.1 requirements the setting the rule checks gives evidence for. */
  readonly pciDss: readonly PciDssRequirementId[];
}

/** Name of Citadel's pack; rule ids are `<PACK>-<suffix>`. */
export const CITADEL_PACK_NAME = 'Citadel';

/** Every rule in Citadel's pack, in report order. */
export const CITADEL_RULES: readonly CitadelRule[] = [
  {
    suffix: 'ALB1',
    rule: AlbHttpsListenerTls12,
    info: 'The HTTPS listener allows TLS versions older than 1.2.',
    explanation:
      'HIPAA 164.312(e)(1) and PCI DSS v4.0.1 4.2.1 need strong cryptography in transit: use an ELBSecurityPolicy-TLS13-1-2-* (or other TLS 1.2+) policy.',
    pciDss: ['4.2.1'],
  },
  {
    suffix: 'ALB2',
    rule: AlbHttpListenerRedirectsOnly,
    info: 'The HTTP listener serves requests instead of only redirecting them to HTTPS.',
    explanation:
      'A plain-HTTP listener may exist only to send clients to HTTPS; anything else carries data unencrypted.',
    pciDss: ['4.2.1'],
  },
  {
    suffix: 'RDS1',
    rule: RdsParameterGroupForcesSsl,
    info: 'The database does not refuse unencrypted connections (rds.force_ssl / require_secure_transport).',
    explanation:
      'TLS must be enforced by the server, not only requested by clients, to protect data in transit inside the VPC.',
    pciDss: ['8.3.2'],
  },
  {
    suffix: 'RDS2',
    rule: RdsInstanceIamAuth,
    info: 'The RDS instance does not have IAM database authentication enabled.',
    explanation:
      'IAM authentication replaces stored database passwords with short-lived tokens tied to an IAM role.',
    pciDss: ['8.2.1', '8.6.3'],
  },
  {
    suffix: 'VPC1',
    rule: PrivateSubnetsUseEndpoints,
    info: `A private subnet can reach the internet, or the VPC lacks an endpoint for one of: ${REQUIRED_ENDPOINT_SERVICES.join(', ')}.`,
    explanation:
      'Citadel keeps regulated workloads off the internet: AWS APIs are reached through VPC endpoints with private DNS and no private subnet has a default route.',
    pciDss: ['1.3.2', '1.4.4'],
  },
  {
    suffix: 'WAF1',
    rule: WebAclHasRateRule,
    info: 'The web ACL has no blocking rate-based rule.',
    explanation:
      'A rate-based rule limits credential stuffing and request floods per client IP (PCI DSS v4.0.1 6.4.2).',
    pciDss: ['6.4.2'],
  },
  {
    suffix: 'BAK1',
    rule: BackupVaultLocked,
    info: 'The backup vault has no vault lock.',
    explanation:
      'A locked vault keeps recovery points for their minimum retention even if an account is compromised.',
    pciDss: ['12.10.1'],
  },
  {
    suffix: 'LOG1',
    rule: LogGroupRetentionAndKms,
    info: `The log group keeps events for fewer than ${MIN_LOG_RETENTION_DAYS} days or is not encrypted with a KMS key.`,
    explanation:
      'Audit logs must stay available for review (PCI DSS v4.0.1 10.5.1 keeps three months immediately available) and may contain sensitive data.',
    pciDss: ['10.5.1', '10.3.1'],
  },
  {
    suffix: 'KMS1',
    rule: QueueAndTopicCustomerManagedKey,
    info: 'The queue or topic is not encrypted with a customer-managed KMS key.',
    explanation:
      'Messages may carry payment or health data; a customer-managed key keeps key policy, rotation and audit in the customer’s hands.',
    pciDss: ['3.5.1', '3.6.1'],
  },
  {
    suffix: 'ECS1',
    rule: TaskDefinitionNonRootReadOnly,
    info: 'A container runs as root or with a writable root filesystem.',
    explanation:
      'Non-root users and read-only root filesystems limit what an attacker can do inside a compromised container.',
    pciDss: ['2.2.1', '2.2.6'],
  },
];

/** Full rule ids of Citadel's pack (`Citadel-ALB1`, ...). */
export const CITADEL_RULE_IDS: readonly string[] = CITADEL_RULES.map(
  (rule) => `${CITADEL_PACK_NAME}-${rule.suffix}`,
);
