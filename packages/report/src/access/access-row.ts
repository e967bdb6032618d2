/** Context values of a request; strings may hold `{…}` placeholders like the other fields. */
export type RowContext = Readonly<Record<string, string | readonly string[]>>;

/**
 * One line of an access table, as readable data. `who`, `resource` and context values may
 * hold placeholders resolved per environment:
 * - `{layer:LogicalId.Attribute}`: a resource of the `citadel-<env>-<layer>` stack by the
 *   logical id CDK gave it without its hash (`{app:PaymentsQueue.Arn}`, `.Ref` for `Ref`);
 *   `*` matches any characters in the id (case-insensitive), and `*` as layer searches every stack;
 * - `{account}`, `{region}`, `{partition}`, `{environment}`, `{elbAccount}`.
 */
export interface AccessRow {
  /** A role (`{app:ApiTaskRole.Arn}`), a service principal (`logs.{region}.amazonaws.com`) or any IAM ARN. */
  readonly who: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: RowContext;
  /** The interface or gateway endpoint service the call goes through (`sqs`, `ecr.dkr`, `s3`). */
  readonly via?: string;
  /**
   * For a principal the environment does not define: the actions its own IAM policies allow
   * on every resource (an outside account's administrator holds `['*']`).
   */
  readonly identity?: readonly string[];
  /** Judge the endpoint policy alone, as if identity and resource policies allowed the call. */
  readonly endpointOnly?: boolean;
  /** Skip the row in an environment that has no resource its placeholders name. */
  readonly skipWhenAbsent?: boolean;
  /** Why the design depends on this (must allow) or must never happen (must deny). */
  readonly why: string;
  readonly frameworks: readonly string[];
}

/** The expected outcome of a table. */
export type Expectation = 'allow' | 'deny';

/** A row of one environment with every placeholder resolved. */
export interface ResolvedRow {
  readonly row: AccessRow;
  readonly expect: Expectation;
  readonly principal: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}
