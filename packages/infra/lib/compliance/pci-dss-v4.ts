/** Form of a PCI DSS v4.0.1 requirement id: `3.5.1`, `8.3.2`, `10.2.1.1`. */
export const PCI_DSS_REQUIREMENT_ID = /^\d+(\.\d+){1,3}$/;

/** The label Citadel's mapping gives the standard. */
export const PCI_DSS_VERSION = 'PCI DSS v4.0.1';

/**
 * The PCI DSS v4.0.1 requirements Citadel's controls and rules name, with short titles
 * (the standard's own text is longer). Every id a rule or control names must be listed here.
 */
export const PCI_DSS_V4_REQUIREMENTS = {
  '1.2.1':
    'Configuration standards for network security control rulesets are defined, implemented and maintained',
  '1.3.1': 'Inbound traffic to the CDE is restricted to only that which is necessary',
  '1.3.2': 'Outbound traffic from the CDE is restricted to only that which is necessary',
  '1.4.1': 'Network security controls are implemented between trusted and untrusted networks',
  '1.4.2': 'Inbound traffic from untrusted networks to trusted networks is restricted',
  '1.4.4': 'System components that store cardholder data are not directly accessible from untrusted networks',
  '2.2.1': 'Configuration standards are developed, implemented and maintained for all system components',
  '2.2.6': 'System security parameters are configured to prevent misuse',
  '3.5.1': 'PAN is rendered unreadable anywhere it is stored',
  '3.6.1':
    'Cryptographic keys used to protect stored account data are protected against disclosure and misuse',
  '3.7.4': 'Cryptographic keys are changed at the end of their cryptoperiod',
  '4.2.1': 'Strong cryptography safeguards PAN during transmission over open, public networks',
  '5.2.1': 'An anti-malware solution is deployed on all system components at risk from malware',
  '6.3.3': 'System components are protected from known vulnerabilities by installing security patches',
  '6.4.1': 'Public-facing web applications are protected against attacks as new threats arise',
  '6.4.2':
    'An automated technical solution detects and prevents web-based attacks on public-facing web applications',
  '6.5.1':
    'Changes to system components in the production environment are made according to established procedures',
  '6.5.2':
    'Upon completion of a significant change, all applicable PCI DSS requirements are confirmed to be in place',
  '7.2.1': 'An access control model is defined and grants access appropriately',
  '7.2.2': 'Access is assigned by job classification and function, with least privileges necessary',
  '8.2.1': 'All users are assigned a unique ID before access to system components or cardholder data',
  '8.3.1': 'All user access to system components is authenticated with at least one authentication factor',
  '8.3.2': 'Strong cryptography renders all authentication factors unreadable in transmission and storage',
  '8.6.3': 'Passwords of application and system accounts are protected against misuse',
  '10.2.1': 'Audit logs are enabled and active for all system components and cardholder data',
  '10.3.1': 'Read access to audit log files is limited to those with a job-related need',
  '10.3.2': 'Audit log files are protected to prevent modifications by individuals',
  '10.5.1':
    'Audit log history is retained for at least 12 months, the most recent three months immediately available',
  '10.7.2': 'Failures of critical security control systems are detected, alerted and addressed promptly',
  '11.3.1': 'Internal vulnerability scans are performed at least once every three months',
  '11.4.1': 'A penetration testing methodology is defined, documented and implemented',
  '11.5.1':
    'Intrusion-detection or intrusion-prevention techniques detect or prevent intrusions into the network',
  '12.1.1': 'An overall information security policy is established, published, maintained and disseminated',
  '12.10.1': 'An incident response plan exists, including business recovery and data backup processes',
} as const satisfies Readonly<Record<string, string>>;

export type PciDssRequirementId = keyof typeof PCI_DSS_V4_REQUIREMENTS;

/** True when `id` is a requirement of the list above. */
export function isPciDssRequirement(id: string): id is PciDssRequirementId {
  return PCI_DSS_REQUIREMENT_ID.test(id) && Object.hasOwn(PCI_DSS_V4_REQUIREMENTS, id);
}
