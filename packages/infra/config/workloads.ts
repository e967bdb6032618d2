import { APP_ROLE, OUTBOX_ROLE, PROCESSOR_ROLE, RETENTION_ROLE } from '@citadel/db/roles';
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import {
  ENVIRONMENT_VARIABLE_PATTERN,
  IMAGE_TAG_PATTERN,
  PLATFORM_VARIABLES,
  WORKLOAD_NAME_PATTERN,
  ENVIRONMENT_VARIABLE as ENVIRONMENT_VARIABLE_REGEXP,
  hostNameProblem,
  isInZone,
} from '../policy/workload-policy.js';
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ConfigError } from './validate.js';

/**
 * Workloads are data: what an application runs, declared once per application, each of
 * a kind, each inheriting every guardrail of its kind (non-root, read-only root
 * filesystem, KMS-encrypted logs on the environment's retention, alarms on the operations
 * topic, least-privilege IAM from what it declares, its own IAM database role).
 *
 * - `service`: a public HTTPS container service behind the load balancer, routed by path.
 * - `worker`: a container service consuming its own queue (with a dead-letter queue).
 * - `job`: a scheduled task (EventBridge Scheduler → ECS RunTask).
 * - `internal`: a container service reachable only from other workloads (Service Connect).
 * - `function`: a Lambda function (Citadel's payment processor is one).
 *
 * Sizes may differ per environment: `sizes: { prod: { … } }` overrides `size` there.
 */

const WORKLOAD_NAME = Type.String({
  pattern: WORKLOAD_NAME_PATTERN,
  description: 'Workload name: 2–32 lower-case letters, digits and hyphens.',
});
const DATABASE_ROLE = Type.String({
  pattern: '^[a-z_][a-z0-9_]{0,62}$',
  description: 'The IAM-authenticated database role this workload alone signs in as.',
});
const ENVIRONMENT_VARIABLE = ENVIRONMENT_VARIABLE_PATTERN;
const ENVIRONMENT_NAME = '^[a-z][a-z0-9-]{0,15}$';
/** `<module path>.<export>`: `index.handler`, `dist/receipts.handle`. */
const HANDLER_PATTERN = '^[A-Za-z0-9_-]{1,64}(/[A-Za-z0-9_-]{1,64}){0,8}\\.[A-Za-z_$][A-Za-z0-9_$]{0,63}$';

/** An image in an ECR repository of the environment's account and region (reached through the VPC endpoints). */
export const ImageSchema = Type.Object(
  {
    repository: Type.String({
      pattern: '^[a-z0-9]+([._/-][a-z0-9]+)*$',
      maxLength: 256,
      description: 'ECR repository name in the environment account and region.',
    }),
    tag: Type.String({
      pattern: IMAGE_TAG_PATTERN,
      description:
        'Immutable tag or sha256: digest; `latest` is refused. A deploy may override it with --context image:<workload>=<tag>.',
    }),
  },
  { additionalProperties: false },
);

export const ContainerSizeSchema = Type.Object(
  {
    cpu: Type.Integer({ enum: [256, 512, 1024, 2048, 4096] }),
    memoryMiB: Type.Integer({ minimum: 512, maximum: 30_720 }),
  },
  { additionalProperties: false },
);

export const ScaledSizeSchema = Type.Object(
  {
    cpu: Type.Integer({ enum: [256, 512, 1024, 2048, 4096] }),
    memoryMiB: Type.Integer({ minimum: 512, maximum: 30_720 }),
    minTasks: Type.Integer({ minimum: 1, maximum: 100 }),
    maxTasks: Type.Integer({ minimum: 1, maximum: 100 }),
    cpuTargetPercent: Type.Optional(Type.Integer({ minimum: 10, maximum: 90 })),
  },
  { additionalProperties: false },
);

const sizesOf = <T extends TSchema>(size: T) =>
  Type.Optional(
    Type.Record(Type.String({ pattern: ENVIRONMENT_NAME }), Type.Partial(size), {
      description: 'Per-environment overrides of `size`, by environment name.',
    }),
  );

const common = {
  name: WORKLOAD_NAME,
  /** Non-secret settings. */
  environment: Type.Optional(
    Type.Record(Type.String({ pattern: ENVIRONMENT_VARIABLE }), Type.String({ maxLength: 4096 }), {
      maxProperties: 100,
    }),
  ),
  /** Secrets Manager secret names injected as environment variables (the value never enters the template). */
  secrets: Type.Optional(
    Type.Record(
      Type.String({ pattern: ENVIRONMENT_VARIABLE }),
      Type.String({ pattern: '^[A-Za-z0-9/_+=.@-]{1,512}$' }),
      { maxProperties: 50 },
    ),
  ),
  databaseRole: Type.Optional(DATABASE_ROLE),
  /** Queues this workload may send to: `payments`, or the name of a `worker` of the application. */
  sendsTo: Type.Optional(Type.Array(WORKLOAD_NAME, { uniqueItems: true, maxItems: 20 })),
};

export const ServiceWorkloadSchema = Type.Object(
  {
    kind: Type.Literal('service'),
    ...common,
    image: ImageSchema,
    port: Type.Integer({ minimum: 1024, maximum: 65_535, description: 'Container port (unprivileged).' }),
    healthPath: Type.String({ pattern: '^/[A-Za-z0-9/_.-]{0,127}$' }),
    routing: Type.Object(
      {
        pathPrefix: Type.Optional(
          Type.String({
            pattern: '^/[a-z0-9][a-z0-9-]{0,62}$',
            description:
              'Requests under this path go to this service (`/orders` matches /orders and /orders/*). @default - every path of its host',
          }),
        ),
        host: Type.Optional(
          Type.String({
            maxLength: 253,
            description:
              "A name under each environment's DNS zone: `orders` is orders.<dns.zoneName> in every environment. @default - no host: routed by pathPrefix on the API's name",
          }),
        ),
        hosts: Type.Optional(
          Type.Record(Type.String({ pattern: ENVIRONMENT_NAME }), Type.String({ maxLength: 253 }), {
            description:
              "Fully qualified host by environment name, inside that environment's dns.zoneName; it replaces `host` there.",
          }),
        ),
        priority: Type.Integer({
          minimum: 1,
          maximum: 50_000,
          description: 'Listener rule priority, unique per environment.',
        }),
      },
      { additionalProperties: false },
    ),
    size: ScaledSizeSchema,
    sizes: sizesOf(ScaledSizeSchema),
  },
  { additionalProperties: false },
);

export const InternalWorkloadSchema = Type.Object(
  {
    kind: Type.Literal('internal'),
    ...common,
    image: ImageSchema,
    port: Type.Integer({ minimum: 1024, maximum: 65_535 }),
    /** Workloads allowed to call this one; nobody else reaches it. */
    calledBy: Type.Array(WORKLOAD_NAME, { minItems: 1, uniqueItems: true }),
    size: ScaledSizeSchema,
    sizes: sizesOf(ScaledSizeSchema),
  },
  { additionalProperties: false },
);

export const WorkerWorkloadSchema = Type.Object(
  {
    kind: Type.Literal('worker'),
    ...common,
    image: ImageSchema,
    command: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 16 }),
    ),
    queue: Type.Object(
      {
        maxReceiveCount: Type.Integer({
          minimum: 1,
          maximum: 10,
          description: 'Deliveries before a message moves to the dead-letter queue.',
        }),
        visibilityTimeoutSeconds: Type.Integer({ minimum: 30, maximum: 43_200 }),
        messagesPerTask: Type.Integer({
          minimum: 1,
          maximum: 100_000,
          description: 'Queue depth per task the worker scales to.',
        }),
      },
      { additionalProperties: false },
    ),
    size: ScaledSizeSchema,
    sizes: sizesOf(ScaledSizeSchema),
  },
  { additionalProperties: false },
);

/** How often a job runs or a scheduled function is invoked: one unit, a whole number, at most a week. */
const INTERVAL = Type.Union([
  Type.Object({ minutes: Type.Integer({ minimum: 5, maximum: 10_080 }) }, { additionalProperties: false }),
  Type.Object({ hours: Type.Integer({ minimum: 1, maximum: 168 }) }, { additionalProperties: false }),
  Type.Object({ days: Type.Integer({ minimum: 1, maximum: 7 }) }, { additionalProperties: false }),
]);

export const JobWorkloadSchema = Type.Object(
  {
    kind: Type.Literal('job'),
    ...common,
    /** @default - the application's own image (Citadel's API image for Citadel's jobs) */
    image: Type.Optional(ImageSchema),
    command: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
      minItems: 1,
      maxItems: 16,
      description: "Arguments to the image's entrypoint.",
    }),
    every: INTERVAL,
    timeoutMinutes: Type.Integer({ minimum: 1, maximum: 10_080, description: 'At most the interval.' }),
    size: Type.Optional(ContainerSizeSchema),
    sizes: sizesOf(ContainerSizeSchema),
  },
  { additionalProperties: false },
);

/**
 * Citadel's own API, built by Citadel's ApiService construct: the default route of the
 * load balancer, sized by each environment's `service` settings.
 */
export const BuiltinServiceWorkloadSchema = Type.Object(
  {
    kind: Type.Literal('service'),
    name: WORKLOAD_NAME,
    implementation: Type.Literal('citadel-api'),
    databaseRole: Type.Optional(DATABASE_ROLE),
    sendsTo: Type.Optional(Type.Array(WORKLOAD_NAME, { uniqueItems: true, maxItems: 20 })),
  },
  { additionalProperties: false },
);

export const FunctionWorkloadSchema = Type.Object(
  {
    kind: Type.Literal('function'),
    name: WORKLOAD_NAME,
    /** A handler Citadel ships in packages/functions. */
    handler: Type.Literal('payment-processor'),
    /** The queue whose messages invoke it. */
    consumes: Type.Literal('payments'),
    databaseRole: Type.Optional(DATABASE_ROLE),
  },
  { additionalProperties: false },
);

/**
 * A team's own Lambda function: an already-built Node.js handler from a directory of its
 * repository (deployed as a zip asset on Node.js 22; nothing is built or run in Docker),
 * invoked by its own queue, a schedule and/or the workloads it names in `calledBy`.
 */
export const CodeFunctionWorkloadSchema = Type.Object(
  {
    kind: Type.Literal('function'),
    ...common,
    code: Type.Object(
      {
        directory: Type.String({
          minLength: 1,
          maxLength: 1024,
          description:
            "Absolute path of the directory holding the built handler and everything it imports, e.g. fileURLToPath(new URL('./functions/receipts/', import.meta.url)).",
        }),
        handler: Type.String({
          pattern: HANDLER_PATTERN,
          description:
            '<file without extension>.<exported function>: `index.handler` calls `handler` of index.mjs (or .js, .cjs).',
        }),
      },
      { additionalProperties: false },
    ),
    timeoutSeconds: Type.Integer({ minimum: 1, maximum: 900 }),
    reservedConcurrency: Type.Integer({
      minimum: 1,
      maximum: 1000,
      description:
        'Concurrent executions reserved for it, and its ceiling (which also caps its database load).',
    }),
    /** @default 256 */
    memoryMiB: Type.Optional(Type.Integer({ minimum: 128, maximum: 10_240 })),
    /** Its own queue (with a dead-letter queue); other workloads send to it by this function's name. */
    queue: Type.Optional(
      Type.Object(
        {
          maxReceiveCount: Type.Integer({ minimum: 1, maximum: 10 }),
          /** @default 10 */
          batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Invoked on this interval by EventBridge Scheduler. */
    every: Type.Optional(INTERVAL),
    /** Workloads of the application allowed to invoke it; nobody else may. */
    calledBy: Type.Optional(Type.Array(WORKLOAD_NAME, { minItems: 1, uniqueItems: true, maxItems: 20 })),
  },
  { additionalProperties: false },
);

export const WorkloadSchema = Type.Union([
  ServiceWorkloadSchema,
  BuiltinServiceWorkloadSchema,
  InternalWorkloadSchema,
  WorkerWorkloadSchema,
  JobWorkloadSchema,
  FunctionWorkloadSchema,
  CodeFunctionWorkloadSchema,
]);

export const ApplicationSchema = Type.Object(
  { workloads: Type.Array(WorkloadSchema, { maxItems: 50 }) },
  { additionalProperties: false },
);

export type ServiceWorkload = Static<typeof ServiceWorkloadSchema>;
export type BuiltinServiceWorkload = Static<typeof BuiltinServiceWorkloadSchema>;
export type InternalWorkload = Static<typeof InternalWorkloadSchema>;
export type WorkerWorkload = Static<typeof WorkerWorkloadSchema>;
export type JobWorkload = Static<typeof JobWorkloadSchema>;
export type FunctionWorkload = Static<typeof FunctionWorkloadSchema>;
export type CodeFunctionWorkload = Static<typeof CodeFunctionWorkloadSchema>;
export type Workload = Static<typeof WorkloadSchema>;
export type ApplicationDeclaration = Static<typeof ApplicationSchema>;
/** @deprecated use JobWorkload */
export type JobDeclaration = JobWorkload;

const SCHEMA_BY_KIND: Readonly<Record<string, TSchema>> = {
  service: ServiceWorkloadSchema,
  internal: InternalWorkloadSchema,
  worker: WorkerWorkloadSchema,
  job: JobWorkloadSchema,
  function: FunctionWorkloadSchema,
};

/** Queue names every application can send to without declaring them. */
export const PLATFORM_QUEUES = ['payments'] as const;

/**
 * Checks an application's workloads against the schema of each one's kind, then the rules
 * across workloads: unique names, unique routing, queues and callers that exist, a job's
 * timeout within its interval. Throws ConfigError naming the workload field and value.
 */
export function validateApplication(candidate: unknown, owner = 'application'): ApplicationDeclaration {
  const fail = (field: string, value: unknown, problem: string): never => {
    throw new ConfigError(owner, field, value, problem);
  };
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) {
    fail('(application)', candidate, 'expected an object with a workloads list');
  }
  const { workloads, ...rest } = candidate as { workloads?: unknown };
  const [unknownKey] = Object.keys(rest);
  if (unknownKey !== undefined)
    fail(unknownKey, (rest as Record<string, unknown>)[unknownKey], 'unknown setting; expected workloads');
  if (!Array.isArray(workloads)) fail('workloads', workloads, 'expected a list of workloads');
  (workloads as unknown[]).forEach((workload, index) => {
    const kind = (workload as { kind?: unknown } | null)?.kind;
    const builtin = kind === 'service' && Object.hasOwn(workload as object, 'implementation');
    const codeFunction = kind === 'function' && Object.hasOwn(workload as object, 'code');
    const schema = builtin
      ? BuiltinServiceWorkloadSchema
      : codeFunction
        ? CodeFunctionWorkloadSchema
        : typeof kind === 'string'
          ? SCHEMA_BY_KIND[kind]
          : undefined;
    if (!schema)
      fail(`workloads[${index}].kind`, kind, `expected one of ${Object.keys(SCHEMA_BY_KIND).join(', ')}`);
    const handler = (workload as { handler?: unknown }).handler;
    if (kind === 'function' && !codeFunction && handler !== 'payment-processor')
      fail(
        `workloads[${index}].code`,
        undefined,
        "declare the function's code: { directory, handler } (only Citadel's payment processor is declared by handler)",
      );
    const [first] = Value.Errors(schema as TSchema, workload);
    if (first) {
      const parts = first.instancePath.split('/').slice(1);
      let value: unknown = workload;
      for (const part of parts) value = (value as Record<string, unknown> | undefined)?.[part];
      const where = parts.reduce(
        (name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : `${name}.${part}`),
        '',
      );
      const missing = (first.params as { requiredProperties?: string[] }).requiredProperties?.[0];
      fail(
        `workloads[${index}]${where}${missing ? `.${missing}` : ''}`,
        missing ? undefined : value,
        first.message,
      );
    }
  });
  const application = candidate as ApplicationDeclaration;
  checkAcrossWorkloads(application, fail);
  return application;
}

function checkAcrossWorkloads(
  application: ApplicationDeclaration,
  fail: (field: string, value: unknown, problem: string) => never,
): void {
  const names = new Map<string, number>();
  const prefixes = new Map<string, string>();
  const priorities = new Map<number, string>();
  application.workloads.forEach((workload, index) => {
    if (names.has(workload.name))
      fail(`workloads[${index}].name`, workload.name, 'two workloads have this name');
    names.set(workload.name, index);
  });
  const workers = new Set(
    application.workloads
      .filter((w) => w.kind === 'worker' || (w.kind === 'function' && 'code' in w && w.queue !== undefined))
      .map((w) => w.name),
  );
  application.workloads.forEach((workload, index) => {
    const at = `workloads[${index}]`;
    for (const key of ['environment', 'secrets'] as const) {
      const variables = Object.keys((workload as unknown as Record<string, object | undefined>)[key] ?? {});
      for (const variable of variables) {
        if (!ENVIRONMENT_VARIABLE_REGEXP.test(variable)) {
          fail(`${at}.${key}.${variable}`, variable, 'use upper-case letters, digits and underscores');
        }
        if (PLATFORM_VARIABLES.includes(variable)) {
          fail(`${at}.${key}.${variable}`, variable, 'set by the platform from the database role; remove it');
        }
      }
    }
    if ('image' in workload && workload.image?.tag === 'latest') {
      fail(`${at}.image.tag`, 'latest', 'give an immutable tag or a sha256: digest, never latest');
    }
    if (workload.kind === 'service' && 'routing' in workload) {
      const { pathPrefix, priority, host, hosts } = workload.routing;
      if (pathPrefix === undefined && host === undefined && hosts === undefined)
        fail(
          `${at}.routing`,
          workload.routing,
          'give a pathPrefix, a host (or hosts by environment), or both',
        );
      if (host !== undefined) {
        const problem = hostNameProblem(host, true);
        if (problem) fail(`${at}.routing.host`, host, problem);
      }
      for (const [environmentName, name] of Object.entries(hosts ?? {})) {
        const problem = hostNameProblem(name);
        if (problem) fail(`${at}.routing.hosts.${environmentName}`, name, problem);
      }
      // Services with a host are checked per environment, where their host is known (serviceRoutesIn).
      if (pathPrefix !== undefined && host === undefined && hosts === undefined) {
        const other = prefixes.get(pathPrefix);
        if (other) fail(`${at}.routing.pathPrefix`, pathPrefix, `workload ${other} already serves it`);
        prefixes.set(pathPrefix, workload.name);
      }
      const sharing = priorities.get(priority);
      if (sharing)
        fail(
          `${at}.routing.priority`,
          priority,
          `workload ${sharing} already has this listener rule priority`,
        );
      priorities.set(priority, workload.name);
      if (
        pathPrefix !== undefined &&
        !workload.healthPath.startsWith(`${pathPrefix}/`) &&
        workload.healthPath !== pathPrefix
      ) {
        fail(
          `${at}.healthPath`,
          workload.healthPath,
          `must be under the routing path ${pathPrefix}, where the load balancer sends it`,
        );
      }
    }
    if (
      'size' in workload &&
      workload.size &&
      'minTasks' in workload.size &&
      workload.size.maxTasks < workload.size.minTasks
    ) {
      fail(
        `${at}.size.maxTasks`,
        workload.size.maxTasks,
        `must be at least size.minTasks (${workload.size.minTasks})`,
      );
    }
    if (workload.kind === 'job') {
      const every = workload.every;
      const minutes =
        'minutes' in every ? every.minutes : 'hours' in every ? every.hours * 60 : every.days * 1440;
      if (workload.timeoutMinutes > minutes) {
        fail(
          `${at}.timeoutMinutes`,
          workload.timeoutMinutes,
          `must be at most the interval (${minutes} minutes), so two runs never overlap`,
        );
      }
    }
    if (workload.kind === 'internal') {
      workload.calledBy.forEach((caller, callerIndex) => {
        const callerWorkload = application.workloads.find((candidate) => candidate.name === caller);
        const isContainer =
          callerWorkload !== undefined &&
          (callerWorkload.kind === 'worker' ||
            callerWorkload.kind === 'internal' ||
            (callerWorkload.kind === 'service' && 'routing' in callerWorkload));
        if (!isContainer || caller === workload.name) {
          fail(
            `${at}.calledBy[${callerIndex}]`,
            caller,
            'name another service, worker or internal workload of this application (jobs and functions cannot join Service Connect)',
          );
        }
      });
    }
    if ('sendsTo' in workload) {
      (workload.sendsTo ?? []).forEach((queue, queueIndex) => {
        if (!(PLATFORM_QUEUES as readonly string[]).includes(queue) && !workers.has(queue)) {
          fail(
            `${at}.sendsTo[${queueIndex}]`,
            queue,
            `expected ${PLATFORM_QUEUES.join(', ')} or the name of a worker or a queue-fed function of this application`,
          );
        }
      });
    }
    if (workload.kind === 'function' && 'code' in workload)
      checkCodeFunction(application, workload, at, fail);
  });
}

/** Lambda's limit on a function's unzipped code, in bytes. */
export const MAX_FUNCTION_CODE_BYTES = 262_144_000;

/** Kinds of workload that may invoke a function: every workload with a role of its own. */
function canCall(workload: Workload | undefined): boolean {
  if (workload === undefined) return false;
  if (workload.kind === 'service') return 'routing' in workload;
  if (workload.kind === 'function') return 'code' in workload;
  return true;
}

function checkCodeFunction(
  application: ApplicationDeclaration,
  workload: CodeFunctionWorkload,
  at: string,
  fail: (field: string, value: unknown, problem: string) => never,
): void {
  if (workload.queue === undefined && workload.every === undefined && workload.calledBy === undefined)
    fail(`${at}.queue`, undefined, 'declare at least one trigger: queue, every or calledBy');
  (workload.calledBy ?? []).forEach((caller, callerIndex) => {
    const found = application.workloads.find((candidate) => candidate.name === caller);
    if (caller === workload.name || !canCall(found))
      fail(
        `${at}.calledBy[${callerIndex}]`,
        caller,
        "name another service, internal, worker, job or function of this application (Citadel's own API and processor call no team function)",
      );
  });
  const { directory, handler } = workload.code;
  if (directory.includes('\u0000') || !isAbsolute(directory) || directory.split(/[\\/]/).includes('..'))
    fail(
      `${at}.code.directory`,
      directory,
      "give an absolute path without '..' segments, e.g. fileURLToPath(new URL('./functions/receipts/', import.meta.url))",
    );
  if (!existsSync(directory) || !statSync(directory).isDirectory())
    fail(`${at}.code.directory`, directory, 'no such directory; build the handler into it before synth');
  const module = handler.slice(0, handler.lastIndexOf('.'));
  const file = ['.mjs', '.js', '.cjs']
    .map((extension) => join(directory, `${module}${extension}`))
    .find(existsSync);
  if (file === undefined || !lstatSync(file).isFile())
    fail(
      `${at}.code.handler`,
      handler,
      `no ${module}.mjs, ${module}.js or ${module}.cjs in ${directory}; build the handler there or name its file`,
    );
  const bytes = directoryBytes(directory, MAX_FUNCTION_CODE_BYTES);
  if (bytes > MAX_FUNCTION_CODE_BYTES)
    fail(
      `${at}.code.directory`,
      directory,
      `holds more than Lambda's ${MAX_FUNCTION_CODE_BYTES} bytes of unzipped code; deploy only the built handler and what it imports`,
    );
}

/** Bytes of the regular files under `directory`, counting stops once past `limit`; symbolic links are not followed. */
function directoryBytes(directory: string, limit: number): number {
  let total = 0;
  const pending = [directory];
  while (pending.length > 0 && total <= limit) {
    const current = pending.pop() as string;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) total += statSync(path).size;
    }
  }
  return total;
}

/** The route of a service in one environment: its host (fully qualified), its path prefix, or both. */
export interface ServiceRoute {
  readonly name: string;
  /** @default - any host the load balancer answers for (the API's name) */
  readonly host?: string;
  /** @default - every path of `host` */
  readonly pathPrefix?: string;
  readonly priority: number;
}

/** Service hosts per environment: the names one ACM certificate holds without a quota increase. */
export const MAX_SERVICE_HOSTS = 10;

/** What of an environment decides where its services' hosts may lie. */
export interface RoutingEnvironment {
  readonly name: string;
  /** The environment's DNS zone (config `dns.zoneName`); every host lies in it. */
  readonly zoneName: string;
  /** The API's own name (config `edge.domainName`), which no service may take. */
  readonly apiDomainName: string;
}

/**
 * The routes of an application's services in one environment: `hosts.<environment>` or
 * else `host` under the zone. Throws ConfigError when a host lies outside the zone, is the
 * API's name, or is not a plain lower-case name, when a service has no route there, or when
 * two services would answer the same host and path.
 */
export function serviceRoutesIn(
  application: ApplicationDeclaration,
  environment: RoutingEnvironment,
  owner = 'application',
): ServiceRoute[] {
  const fail = (field: string, value: unknown, problem: string): never => {
    throw new ConfigError(owner, field, value, problem);
  };
  const taken = new Map<string, string>();
  const hosts = new Set<string>();
  return application.workloads.flatMap((workload, index) => {
    if (workload.kind !== 'service' || !('routing' in workload)) return [];
    const { routing } = workload;
    const at = `workloads[${index}].routing`;
    const explicit = routing.hosts?.[environment.name];
    const field = explicit === undefined ? `${at}.host` : `${at}.hosts.${environment.name}`;
    const host =
      explicit ?? (routing.host === undefined ? undefined : `${routing.host}.${environment.zoneName}`);
    if (host !== undefined) {
      const problem = hostNameProblem(host);
      if (problem) fail(field, host, problem);
      if (!isInZone(host, environment.zoneName))
        fail(
          field,
          host,
          `lies outside the ${environment.name} DNS zone ${environment.zoneName}; give a name under it, such as ${workload.name}.${environment.zoneName}`,
        );
      if (host === environment.apiDomainName)
        fail(field, host, `is the API's own name (edge.domainName); give the service a name of its own`);
    } else if (routing.pathPrefix === undefined) {
      fail(
        `${at}.hosts`,
        routing.hosts,
        `no host for environment ${environment.name} and no pathPrefix; add hosts.${environment.name}, a host or a pathPrefix`,
      );
    }
    if (host !== undefined) hosts.add(host);
    if (hosts.size > MAX_SERVICE_HOSTS)
      fail(
        field,
        host,
        `more than ${MAX_SERVICE_HOSTS} service hosts in ${environment.name} (the names of one ACM certificate); route further services by path`,
      );
    const key = `${host ?? '(any host)'}${routing.pathPrefix ?? ' (any path)'}`;
    const other = taken.get(key);
    if (other)
      fail(
        host === undefined ? `${at}.pathPrefix` : field,
        host ?? routing.pathPrefix,
        `workload ${other} already serves ${key} in ${environment.name}`,
      );
    taken.set(key, workload.name);
    return [
      {
        name: workload.name,
        priority: routing.priority,
        ...(host === undefined ? {} : { host }),
        ...(routing.pathPrefix === undefined ? {} : { pathPrefix: routing.pathPrefix }),
      },
    ];
  });
}

/** The size of a workload in one environment: `size`, with that environment's `sizes` entry over it. */
export function sizeIn<W extends { size?: object; sizes?: Record<string, object> }>(
  workload: W,
  environmentName: string,
): NonNullable<W['size']> {
  return { ...(workload.size ?? {}), ...(workload.sizes?.[environmentName] ?? {}) } as NonNullable<W['size']>;
}

/**
 * Citadel's own workloads, declared as any user's would be: the API and the payment
 * processor (built by Citadel's own constructs; their sizes come from each environment's
 * `service` and `payments` settings), and two maintenance jobs that run the API image's
 * job entry (`/app/jobs.mjs`), each as its own database role.
 */
export const CITADEL_APPLICATION: ApplicationDeclaration = validateApplication(
  {
    workloads: [
      {
        kind: 'service',
        name: 'api',
        implementation: 'citadel-api',
        databaseRole: APP_ROLE,
        sendsTo: ['payments'],
      },
      {
        kind: 'function',
        name: 'payment-processor',
        handler: 'payment-processor',
        consumes: 'payments',
        databaseRole: PROCESSOR_ROLE,
      },
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

/** The user-built services of an application (not Citadel's own API). */
export function servicesOf(application: ApplicationDeclaration): ServiceWorkload[] {
  return application.workloads.filter(
    (workload): workload is ServiceWorkload => workload.kind === 'service' && 'routing' in workload,
  );
}

/** The internal services of an application. */
export function internalsOf(application: ApplicationDeclaration): InternalWorkload[] {
  return application.workloads.filter(
    (workload): workload is InternalWorkload => workload.kind === 'internal',
  );
}

/** The queue workers of an application. */
export function workersOf(application: ApplicationDeclaration): WorkerWorkload[] {
  return application.workloads.filter((workload): workload is WorkerWorkload => workload.kind === 'worker');
}

/** The jobs of an application. */
export function jobsOf(application: ApplicationDeclaration): JobWorkload[] {
  return application.workloads.filter((workload): workload is JobWorkload => workload.kind === 'job');
}

/** The team's own Lambda functions of an application (not Citadel's payment processor). */
export function codeFunctionsOf(application: ApplicationDeclaration): CodeFunctionWorkload[] {
  return application.workloads.filter(
    (workload): workload is CodeFunctionWorkload => workload.kind === 'function' && 'code' in workload,
  );
}
