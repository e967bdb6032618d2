import { Signer, type SignerConfig } from '@aws-sdk/rds-signer';

/** RDS IAM authentication tokens are valid for 15 minutes from signing. */
export const IAM_TOKEN_LIFETIME_MS = 15 * 60 * 1000;

export interface IamTokenSourceOptions {
  readonly hostname: string;
  readonly port: number;
  readonly username: string;
  readonly region: string;
  /** @default - the AWS SDK's default credential chain */
  readonly credentials?: SignerConfig['credentials'];
  /** Sign a new token once the cached one is this close to expiry. @default 2 minutes */
  readonly refreshBeforeExpiryMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Signs RDS IAM tokens and hands the same token to every new connection until it is
 * about to expire. Signing is local (SigV4), so a cached token mostly saves CPU and
 * keeps one credential fetch per refresh; concurrent callers share one signing.
 */
export class IamTokenSource {
  private readonly signer: Signer;
  private readonly refreshBeforeExpiryMs: number;
  private readonly now: () => number;
  private cached: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(options: IamTokenSourceOptions) {
    this.signer = new Signer({
      hostname: options.hostname,
      port: options.port,
      username: options.username,
      region: options.region,
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
    this.refreshBeforeExpiryMs = options.refreshBeforeExpiryMs ?? 2 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  /** Resolves to a token that stays valid for at least `refreshBeforeExpiryMs`. */
  token(): Promise<string> {
    if (this.cached && this.now() < this.cached.expiresAt - this.refreshBeforeExpiryMs) {
      return Promise.resolve(this.cached.token);
    }
    this.pending ??= this.sign().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async sign(): Promise<string> {
    const signedAt = this.now();
    const token = await this.signer.getAuthToken();
    this.cached = { token, expiresAt: signedAt + IAM_TOKEN_LIFETIME_MS };
    return token;
  }
}
