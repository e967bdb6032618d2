import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/** Version of the change-record document; a reader refuses any other. */
export const CHANGE_RECORD_SCHEMA_VERSION = 1;

/** Longest `cdk diff` text kept in a record, in characters; a longer diff is cut and marked. */
export const MAX_DIFF_CHARS = 512 * 1024;

const SAFE_TEXT = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';
const text = (maxLength: number, description: string) =>
  Type.String({ maxLength, pattern: SAFE_TEXT, description });
const DIGEST = '^sha256:[a-f0-9]{64}$';
const TIMESTAMP = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?Z$';

export const ApproverSchema = Type.Object(
  {
    login: Type.String({ pattern: '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$', description: 'GitHub login.' }),
    state: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]),
    comment: text(2000, 'What the reviewer wrote with the approval.'),
    environments: Type.Array(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,255}$' }), { maxItems: 20 }),
  },
  { additionalProperties: false },
);

export const ChangeRecordSchema = Type.Object(
  {
    schemaVersion: Type.Literal(CHANGE_RECORD_SCHEMA_VERSION),
    environment: Type.String({ pattern: '^[a-z][a-z0-9-]{0,15}$' }),
    account: Type.String({ pattern: '^\\d{12}$' }),
    region: Type.String({ pattern: '^[a-z]{2}(-gov)?-[a-z]+-\\d$' }),
    stacks: Type.Array(Type.String({ pattern: '^citadel-[a-z0-9-]+$' }), { minItems: 1, maxItems: 10 }),
    commit: Type.String({ pattern: '^[a-f0-9]{40}$' }),
    pullRequest: Type.Optional(
      Type.Object(
        {
          number: Type.Integer({ minimum: 1, maximum: 1e9 }),
          url: Type.String({ pattern: '^https://[A-Za-z0-9.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/pull/\\d+$' }),
        },
        { additionalProperties: false },
      ),
    ),
    approval: Type.Union([
      Type.Object(
        {
          source: Type.Literal('github-environment'),
          runUrl: Type.Optional(Type.String({ pattern: '^https://[^\\s]+$', maxLength: 500 })),
          approvers: Type.Array(ApproverSchema, { maxItems: 50 }),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          source: Type.Literal('operator'),
          operatorArn: Type.String({ pattern: '^arn:aws[a-z-]*:(sts|iam)::\\d{12}:\\S{1,400}$' }),
        },
        { additionalProperties: false },
      ),
    ]),
    deployedBy: Type.String({ pattern: '^arn:aws[a-z-]*:(sts|iam)::\\d{12}:\\S{1,400}$' }),
    image: Type.Object(
      {
        digest: Type.Optional(Type.String({ pattern: DIGEST })),
        sbom: Type.Optional(
          Type.Object(
            {
              key: Type.String({ pattern: '^records/[a-z0-9-]+/[A-Za-z0-9:.-]+\\.cdx\\.json$' }),
              sha256: Type.String({ pattern: '^[a-f0-9]{64}$' }),
              format: Type.Literal('CycloneDX'),
              specVersion: Type.String({ pattern: '^1\\.\\d{1,2}$' }),
              components: Type.Integer({ minimum: 0 }),
            },
            { additionalProperties: false },
          ),
        ),
        scan: Type.Optional(
          Type.Object(
            {
              tool: Type.Literal('trivy'),
              critical: Type.Integer({ minimum: 0 }),
              high: Type.Integer({ minimum: 0 }),
              medium: Type.Integer({ minimum: 0 }),
              low: Type.Integer({ minimum: 0 }),
              unknown: Type.Integer({ minimum: 0 }),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    report: Type.Optional(
      Type.Object(
        {
          key: Type.String({ pattern: '^records/[a-z0-9-]+/[A-Za-z0-9:.-]+\\.report\\.md$' }),
          sha256: Type.String({ pattern: '^[a-f0-9]{64}$' }),
          jsonKey: Type.String({ pattern: '^records/[a-z0-9-]+/[A-Za-z0-9:.-]+\\.report\\.json$' }),
          jsonSha256: Type.String({ pattern: '^[a-f0-9]{64}$' }),
        },
        {
          additionalProperties: false,
          description:
            'The report of the deployed revision, rendered from the cloud assembly the deploy deployed and stored next to the record.',
        },
      ),
    ),
    diff: Type.Object(
      {
        exitCode: Type.Integer(),
        text: Type.String({ maxLength: MAX_DIFF_CHARS + 100 }),
        truncated: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    strategy: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }),
    alarms: Type.Object(
      {
        readAt: Type.String({ pattern: TIMESTAMP }),
        error: Type.Optional(text(1000, 'Why the alarm states could not be read.')),
        states: Type.Array(
          Type.Object(
            {
              name: Type.String({ pattern: '^citadel-[!-~]{1,246}$' }),
              state: Type.Union([
                Type.Literal('OK'),
                Type.Literal('ALARM'),
                Type.Literal('INSUFFICIENT_DATA'),
              ]),
              since: Type.Optional(Type.String({ pattern: TIMESTAMP })),
            },
            { additionalProperties: false },
          ),
          { maxItems: 1000 },
        ),
      },
      { additionalProperties: false },
    ),
    outcome: Type.Object(
      {
        status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('rolled-back')]),
        failedStep: Type.Optional(
          Type.Union([
            Type.Literal('diff'),
            Type.Literal('report'),
            Type.Literal('deploy'),
            Type.Literal('alarms'),
          ]),
        ),
        detail: Type.Optional(text(2000, 'What failed, in one line.')),
      },
      { additionalProperties: false },
    ),
    startedAt: Type.String({ pattern: TIMESTAMP }),
    finishedAt: Type.String({ pattern: TIMESTAMP }),
    storage: Type.Optional(
      Type.Object(
        {
          status: Type.Literal('bucket-absent'),
          bucket: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' }),
          keptIn: Type.Literal('record-dir'),
          detail: text(1000, 'What S3 answered.'),
        },
        {
          additionalProperties: false,
          description:
            'Present only when the record is not in the change-record bucket: the deploy was of stacks that come before `shared` (the recovery stack) and the bucket did not exist yet, so the record and the files next to it were kept in --record-dir alone.',
        },
      ),
    ),
  },
  { additionalProperties: false, $id: 'CitadelChangeRecord' },
);

export type ChangeRecord = Static<typeof ChangeRecordSchema>;
export type Approver = Static<typeof ApproverSchema>;

/** A change record that does not match the schema: names where it came from and the field. */
export class ChangeRecordError extends Error {
  override readonly name = 'ChangeRecordError';
  readonly source: string;
  readonly field: string;

  constructor(source: string, field: string, problem: string, options?: ErrorOptions) {
    super(`${source}: ${field}: ${problem}`, options);
    this.source = source;
    this.field = field;
  }
}

/**
 * The document as a change record, or ChangeRecordError naming `source`, the first field that
 * does not match (as a JSON pointer) and why. Also refuses a record that finished before it
 * started, or that failed without saying at which step.
 */
export function parseChangeRecord(value: unknown, source: string): ChangeRecord {
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== CHANGE_RECORD_SCHEMA_VERSION) {
    throw new ChangeRecordError(
      source,
      '/schemaVersion',
      `is ${JSON.stringify(version) ?? 'missing'}; this reader understands version ${CHANGE_RECORD_SCHEMA_VERSION}`,
    );
  }
  const [first] = Value.Errors(ChangeRecordSchema, value);
  if (first) {
    throw new ChangeRecordError(source, first.instancePath || '/', first.message);
  }
  const record = value as ChangeRecord;
  if (Date.parse(record.finishedAt) < Date.parse(record.startedAt)) {
    throw new ChangeRecordError(
      source,
      '/finishedAt',
      `${record.finishedAt} is before startedAt ${record.startedAt}`,
    );
  }
  if (record.outcome.status !== 'succeeded' && record.outcome.failedStep === undefined) {
    throw new ChangeRecordError(
      source,
      '/outcome/failedStep',
      `a ${record.outcome.status} deploy names the step that failed`,
    );
  }
  return record;
}

/** Object key of a record: `records/<env>/<ISO timestamp>-<commit>.json`, colons kept as S3 allows them. */
export function changeRecordKey(environment: string, startedAt: string, commit: string): string {
  return `records/${environment}/${startedAt}-${commit}.json`;
}

/** Object key of the SBOM stored next to a record. */
export function sbomKey(recordKey: string): string {
  return recordKey.replace(/\.json$/, '.cdx.json');
}

/** Object keys of the revision report stored next to a record: Markdown and JSON. */
export function revisionReportKeys(recordKey: string): { readonly markdown: string; readonly json: string } {
  return {
    markdown: recordKey.replace(/\.json$/, '.report.md'),
    json: recordKey.replace(/\.json$/, '.report.json'),
  };
}
