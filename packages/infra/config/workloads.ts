import { OUTBOX_ROLE, RETENTION_ROLE } from '@citadel/db/roles';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { ConfigError } from './validate.js';

/**
 * Workloads are data: what an application runs, declared once, each inheriting every
 * guardrail of its kind. This module holds the `job` kind (a scheduled task) and the jobs
 * Citadel itself needs.
 */

const WORKLOAD_NAME = '^[a-z][a-z0-9-]{0,30}[a-z0-9]$';
/** Queues a workload may name in `sendsTo`, and what each means. */
export const QUEUE_NAMES = ['payments'] as const;

export const JobSchema = Type.Object(
  {
    kind: Type.Literal('job'),
    name: Type.String({
      pattern: WORKLOAD_NAME,
      description: 'Workload name; names the schedule, the task family and the metric.',
    }),
    command: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
      minItems: 1,
      maxItems: 16,
      description: "Arguments to the image's entrypoint.",
    }),
    every: Type.Union([
      Type.Object(
        { minutes: Type.Integer({ minimum: 5, maximum: 10_080 }) },
        { additionalProperties: false },
      ),
      Type.Object({ hours: Type.Integer({ minimum: 1, maximum: 168 }) }, { additionalProperties: false }),
      Type.Object({ days: Type.Integer({ minimum: 1, maximum: 7 }) }, { additionalProperties: false }),
    ]),
    timeoutMinutes: Type.Integer({ minimum: 1, maximum: 10_080, description: 'At most the interval.' }),
    cpu: Type.Optional(Type.Integer({ enum: [256, 512, 1024] })),
    memoryMiB: Type.Optional(Type.Integer({ minimum: 512, maximum: 8192 })),
    databaseRole: Type.Optional(
      Type.String({
        pattern: '^[a-z_][a-z0-9_]{0,62}$',
        description: 'IAM-authenticated database role of this job alone.',
      }),
    ),
    sendsTo: Type.Optional(
      Type.Array(Type.Union(QUEUE_NAMES.map((name) => Type.Literal(name))), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);
export type JobDeclaration = Static<typeof JobSchema>;

export const ApplicationSchema = Type.Object(
  {
    jobs: Type.Array(JobSchema, { maxItems: 50 }),
  },
  { additionalProperties: false },
);
export type ApplicationDeclaration = Static<typeof ApplicationSchema>;

/** Checks an application's workloads; throws ConfigError naming the workload field and value. */
export function validateApplication(candidate: unknown, owner = 'application'): ApplicationDeclaration {
  const [first] = Value.Errors(ApplicationSchema, candidate);
  if (first) {
    const field = first.instancePath
      .split('/')
      .slice(1)
      .reduce(
        (name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part),
        '',
      );
    let value: unknown = candidate;
    for (const part of first.instancePath.split('/').slice(1))
      value = (value as Record<string, unknown>)?.[part];
    throw new ConfigError(owner, field || '(application)', value, first.message);
  }
  const application = candidate as ApplicationDeclaration;
  const seen = new Set<string>();
  application.jobs.forEach((job, index) => {
    if (seen.has(job.name))
      throw new ConfigError(owner, `jobs[${index}].name`, job.name, 'two workloads have this name');
    seen.add(job.name);
  });
  return application;
}

/**
 * Citadel's own maintenance jobs, declared as any user's would be. Both run the API image's
 * job entry (`/app/jobs.mjs`), each as its own database role.
 */
export const CITADEL_APPLICATION: ApplicationDeclaration = validateApplication(
  {
    jobs: [
      {
        kind: 'job',
        name: 'idempotency-retention',
        command: ['/app/jobs.mjs', 'idempotency-retention'],
        every: { hours: 1 },
        timeoutMinutes: 15,
        databaseRole: RETENTION_ROLE,
      },
      {
        kind: 'job',
        name: 'payment-outbox',
        command: ['/app/jobs.mjs', 'payment-outbox'],
        every: { minutes: 5 },
        timeoutMinutes: 4,
        databaseRole: OUTBOX_ROLE,
        sendsTo: ['payments'],
      },
    ],
  },
  'citadel',
);
