import { Logger } from '@aws-lambda-powertools/logger';
import { ACMClient } from '@aws-sdk/client-acm';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CLOUDFLARE_API_BASE_URL } from '../cloudflare/cloudflare-client.js';
import { createCloudflareCertificate, issueTimeoutMs } from './certificate-handler.js';

const logger = new Logger({ serviceName: 'cloudflare-certificate' });
const certificate = createCloudflareCertificate({
  timings: { issueTimeoutMs: issueTimeoutMs(process.env.CERTIFICATE_ISSUE_TIMEOUT_SECONDS) },
  acm: new ACMClient({}),
  secrets: new SecretsManagerClient({}),
  logger,
  client: { baseUrl: process.env.CLOUDFLARE_API_BASE_URL ?? CLOUDFLARE_API_BASE_URL },
});

/** CloudFormation custom resource (CDK Provider `onEvent`): an ACM certificate validated through Cloudflare DNS. */
export const handler = certificate.onEvent;

/** CDK Provider `isComplete`: done once ACM has issued the certificate. */
export const isComplete = certificate.isComplete;
