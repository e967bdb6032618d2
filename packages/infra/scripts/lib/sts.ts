import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { CallerIdentity } from './aws-identity.js';

/** Total time allowed to ask STS who the caller is, in milliseconds. */
const TIMEOUT_MS = 8_000;

/** GetCallerIdentity through the SDK's default credential chain, with short timeouts. */
export async function stsCallerIdentity(region: string): Promise<CallerIdentity> {
  const client = new STSClient({
    region,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 },
  });
  try {
    const result = await client.send(new GetCallerIdentityCommand({}), {
      abortSignal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!result.Account || !result.Arn) throw new Error('STS returned no account');
    return { account: result.Account, arn: result.Arn };
  } finally {
    client.destroy();
  }
}
