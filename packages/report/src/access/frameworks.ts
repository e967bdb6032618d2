/** Control references the access tables cite. */
export const PCI_7_2_1 = 'PCI DSS v4.0.1 7.2.1';
export const PCI_7_2_2 = 'PCI DSS v4.0.1 7.2.2';
export const PCI_10_2 = 'PCI DSS v4.0.1 10.2.1';
export const PCI_3_5 = 'PCI DSS v4.0.1 3.5.1';
export const HIPAA_ACCESS = 'HIPAA 164.312(a)(1)';
export const HIPAA_AUDIT = 'HIPAA 164.312(b)';
export const HIPAA_ENCRYPTION = 'HIPAA 164.312(a)(2)(iv)';
export const PCI_6_5_1 = 'PCI DSS v4.0.1 6.5.1';
export const HIPAA_EVALUATION = 'HIPAA 164.308(a)(8)';
