import { Logger } from '@aws-lambda-powertools/logger';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createJwksMirror, type JwksMirrorHandler } from './mirror-handler.js';
import { mirrorSettingsFromEnvironment } from './settings.js';

const logger = new Logger({ serviceName: 'jwks-mirror' });
const ssm = new SSMClient({});
// Settings are read on the first run, so a bad setting fails an invocation the error alarm counts.
let mirror: JwksMirrorHandler | undefined;

/** EventBridge schedule → copies the identity provider's public keys into one SSM parameter. */
export const handler: JwksMirrorHandler = (event) => {
  mirror ??= createJwksMirror({ settings: mirrorSettingsFromEnvironment(process.env), ssm, logger });
  return mirror(event);
};
