import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CLOUDFLARE_API_BASE_URL } from '../cloudflare/cloudflare-client.js';
import { createCloudflareDns } from './dns-handler.js';

const logger = new Logger({ serviceName: 'cloudflare-dns' });
const secrets = new SecretsManagerClient({});

/** CloudFormation custom resource (CDK Provider `onEvent`): CNAME records in a Cloudflare zone. */
export const handler = createCloudflareDns({
  secrets,
  logger,
  client: { baseUrl: process.env.CLOUDFLARE_API_BASE_URL ?? CLOUDFLARE_API_BASE_URL },
});
