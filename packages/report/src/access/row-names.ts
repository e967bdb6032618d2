import { APP_DATABASE_USER, PROCESSOR_DATABASE_USER } from '@citadel/infra/stacks/app-stack';
import {
  HIPAA_ACCESS,
  HIPAA_AUDIT,
  HIPAA_ENCRYPTION,
  PCI_10_2,
  PCI_3_5,
  PCI_7_2_1,
  PCI_7_2_2,
} from './frameworks.js';

/** Placeholders and control lists the must-allow tables share. */
export const API_TASK = '{app:ApiTaskRole.Arn}';
export const API_EXECUTION = '{app:ApiExecutionRole.Arn}';
export const PROCESSOR = '{app:PaymentsProcessorFunctionServiceRole.Arn}';
export const BOOTSTRAP = '{app:DatabaseBootstrapProviderHandlerFunctionServiceRole.Arn}';
export const CERTIFICATE_HANDLER = '{app:CloudflareCertificateProviderHandlerFunctionServiceRole.Arn}';
export const DNS_HANDLER = '{app:CloudflareDnsProviderHandlerFunctionServiceRole.Arn}';
export const RESTORE_VALIDATOR = '{data:RestoreTestingValidatorFunctionServiceRole.Arn}';
export const QUEUE = '{app:PaymentsQueue.Arn}';
export const MESSAGES_KEY = '{network:KeysMessagesKey.Arn}';
export const SECRETS_KEY = '{network:KeysSecretsKey.Arn}';
export const MASTER_SECRET = '{data:PostgresInstanceSecretAttachment.Ref}';
export const APP_DB_USER = `arn:aws:rds-db:{region}:{account}:dbuser:{data:PostgresInstance.DbiResourceId}/${APP_DATABASE_USER}`;
export const PROCESSOR_DB_USER = `arn:aws:rds-db:{region}:{account}:dbuser:{data:PostgresInstance.DbiResourceId}/${PROCESSOR_DATABASE_USER}`;
export const CLOUDFLARE_TOKEN =
  'arn:aws:secretsmanager:{region}:{account}:secret:citadel/{environment}/cloudflare-api-token-AbCdEf';
export const TRAIL_BUCKET = '{baseline:BaselineTrailBucket.Arn}';
export const TRAIL = '{baseline:BaselineTrail.Arn}';
export const via = (service: string) => ({ 'kms:ViaService': `${service}.{region}.amazonaws.com` });
export const LEAST = [PCI_7_2_1, PCI_7_2_2, HIPAA_ACCESS];
export const AUDIT = [PCI_10_2, HIPAA_AUDIT];
export const KEYS = [PCI_3_5, HIPAA_ENCRYPTION];
