import { CertificateValidation, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { LoadBalancerTarget } from 'aws-cdk-lib/aws-route53-targets';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { APP_ROLE, DATABASE_NAME, PROCESSOR_ROLE } from '@citadel/db/roles';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { acknowledge } from '../acknowledge.js';
import { ApiService, type ApiAuthSettings } from '../constructs/api-service.js';
import { CloudflareDnsRecords } from '../constructs/cloudflare-dns-records.js';
import { CloudflareValidatedCertificate } from '../constructs/cloudflare-validated-certificate.js';
import { DatabaseBootstrap } from '../constructs/database-bootstrap.js';
import { JwksMirror } from '../constructs/jwks-mirror.js';
import { LoadBalancedEdge } from '../constructs/load-balanced-edge.js';
import { PaymentsPipeline } from '../constructs/payments-pipeline.js';
import { WebAcl } from '../constructs/web-acl.js';
import { API_RDS_CA_BUNDLE_PATH } from '../constructs/api-service.js';
import type { WorkloadPlatform } from '../platform/platform.js';
import { ScheduledJob } from '../workloads/scheduled-job.js';
import { tagWorkload } from '../workloads/workload-tags.js';
import {
  CITADEL_APPLICATION,
  codeFunctionsOf,
  serviceRoutesIn,
  internalsOf,
  jobsOf,
  servicesOf,
  sizeIn,
  workersOf,
  type ApplicationDeclaration,
} from '../../config/workloads.js';
import { HttpNamespace } from 'aws-cdk-lib/aws-servicediscovery';
import { PublicService, type ContainerWorkload } from '../workloads/container-service.js';
import { InternalService } from '../workloads/internal-service.js';
import { queueUrlVariable } from '../workloads/workload-task.js';
import { isImmutableImageTag } from '../../policy/workload-policy.js';
import { QueueWorker } from '../workloads/queue-worker.js';
import { LambdaWorkload } from '../workloads/lambda-workload.js';
import { ServiceHostnames } from '../workloads/service-hostnames.js';
import { Repository } from 'aws-cdk-lib/aws-ecr';
import { CitadelStack } from './citadel-stack.js';
import type { DataStack } from './data-stack.js';
import type { NetworkStack } from './network-stack.js';
import type { SharedStack } from './shared-stack.js';
import { recoverySiteOf } from './recovery-stack.js';
import { InvalidPropError } from '../invalid-prop-error.js';
import { deploymentOf } from '../../config/schema.js';
import { PreTrafficCheck, type ServiceRelease } from '../workloads/progressive-deployment.js';

/** Database the API and the processor use (owned by @citadel/db). */
export const APP_DATABASE_NAME = DATABASE_NAME;
/** IAM-authenticated role the API signs in as: creates and reads payments, never settles them. */
export const APP_DATABASE_USER = APP_ROLE;
/** IAM-authenticated role the payment processor signs in as: settles pending payments, no patients. */
export const PROCESSOR_DATABASE_USER = PROCESSOR_ROLE;

/**
 * Values given at deploy time with `--context <key>=<value>`, because they change per
 * release (`imageTag`) or belong to the identity provider rather than to the code. Synth
 * without them uses these placeholders, which make a valid template but not a working
 * deployment: the deploy script must pass the real values.
 */
export const DEPLOY_TIME_CONTEXT = {
  imageTag: 'synth-placeholder',
  authJwksUrl: 'https://auth.invalid/.well-known/jwks.json',
  authIssuer: 'https://auth.invalid/',
  authAudience: 'citadel-api',
} as const;

export interface AppStackProps {
  readonly config: EnvironmentConfig;
  readonly shared: SharedStack;
  readonly network: NetworkStack;
  readonly data: DataStack;
  /** @default CITADEL_APPLICATION - Citadel's own workloads */
  readonly application?: ApplicationDeclaration;
}

/**
 * What runs: the API on ECS Fargate behind the HTTPS edge (ALB, ACM, DNS, WAF), the
 * payments queue with its processor, and the database bootstrap that must finish before
 * the first task starts.
 */
export class AppStack extends CitadelStack {
  readonly edge: LoadBalancedEdge;
  readonly api: ApiService;
  readonly payments: PaymentsPipeline;
  readonly bootstrap: DatabaseBootstrap;
  /** @default - undefined when DNS is in Route 53, where the edge makes its own certificate */
  readonly cloudflareCertificate?: CloudflareValidatedCertificate;
  /** @default - undefined when the environment switches WAF off */
  readonly webAcl?: WebAcl;
  /** @default - undefined when the identity provider's keys are pinned with the `authJwks` context */
  readonly jwksMirror?: JwksMirror;
  /** What every workload of the environment is given: log policy, placement, database, cluster. */
  readonly platform: WorkloadPlatform;
  /** The application's scheduled jobs. */
  readonly jobs: readonly ScheduledJob[];
  /** The application's own public services, behind the load balancer by path. */
  readonly services: readonly PublicService[];
  /** The application's queue workers. */
  readonly workers: readonly QueueWorker[];
  /** The application's internal services, reachable only through Service Connect. */
  readonly internals: readonly InternalService[];
  /** The application's own Lambda functions. */
  readonly functions: readonly LambdaWorkload[];
  /** @default - undefined when no service is routed by host in this environment */
  readonly serviceHostnames?: ServiceHostnames;
  /** @default - undefined when the environment pins no pre-traffic check (deployment.probe) */
  readonly preTrafficCheck?: PreTrafficCheck;

  constructor(scope: Construct, props: AppStackProps) {
    super(scope, {
      config: props.config,
      layer: 'app',
      description: 'API service, HTTPS edge, WAF, payments pipeline and database bootstrap',
    });
    const { config, network, data } = props;
    const keys = network.keys;
    const logPolicy = network.logPolicy;
    const application = props.application ?? CITADEL_APPLICATION;
    const deployment = deploymentOf(config);

    const dns = config.dns;
    let cloudflareApiToken: ISecret | undefined;
    let certificate: { certificate: ICertificate } | { certificateValidation: CertificateValidation };
    if (dns.provider === 'route53') {
      certificate = {
        certificateValidation: CertificateValidation.fromDns(
          HostedZone.fromHostedZoneAttributes(this, 'Zone', {
            hostedZoneId: dns.hostedZoneId,
            zoneName: dns.zoneName,
          }),
        ),
      };
    } else {
      cloudflareApiToken = Secret.fromSecretNameV2(this, 'CloudflareApiToken', dns.apiTokenSecretName);
      // ACM issues the certificate only once its validation CNAME exists, which Route 53
      // would write itself; at Cloudflare this resource writes it.
      this.cloudflareCertificate = new CloudflareValidatedCertificate(this, 'CloudflareCertificate', {
        domainName: config.edge.domainName,
        zoneId: dns.zoneId,
        apiTokenSecret: cloudflareApiToken,
        apiTokenKey: keys.secrets,
        functionEnvironmentKey: keys.functionEnvironment,
        logPolicy,
        tags: { 'citadel:environment': config.name, 'citadel:layer': 'app' },
      });
      certificate = { certificate: this.cloudflareCertificate.certificate };
    }

    this.edge = new LoadBalancedEdge(this, 'Edge', {
      vpc: network.vpc,
      vpcSubnets: network.edgeSubnets,
      domainName: config.edge.domainName,
      ...certificate,
      deletionProtection: config.edge.albDeletionProtection,
      accessLogRetentionDays: config.logRetentionDays,
      serverAccessLogsBucket: network.accessLogsBucket,
      recoverySite: recoverySiteOf(config),
      ...(deployment.testPort === undefined ? {} : { testPort: deployment.testPort }),
    });
    const release = (workload: string): ServiceRelease => ({
      settings: deployment,
      ...(this.edge.testListener ? { testListener: this.edge.testListener } : {}),
      alarmNamePrefix: `citadel-${config.name}-${workload}`,
      // Created with the API, before the team's services: they are checked by the same function.
      ...(this.preTrafficCheck ? { preTrafficCheck: this.preTrafficCheck } : {}),
    });

    this.payments = new PaymentsPipeline(this, 'Payments', {
      vpc: network.vpc,
      vpcSubnets: network.appSubnets,
      securityGroup: network.functionSecurityGroup,
      database: data.database,
      databaseName: APP_DATABASE_NAME,
      databaseUser: PROCESSOR_DATABASE_USER,
      messagesKey: keys.messages,
      functionEnvironmentKey: keys.functionEnvironment,
      logPolicy,
      maxReceiveCount: config.payments.maxReceiveCount,
      processorReservedConcurrency: config.payments.processorReservedConcurrency,
    });

    this.bootstrap = new DatabaseBootstrap(this, 'DatabaseBootstrap', {
      vpc: network.vpc,
      vpcSubnets: network.appSubnets,
      securityGroup: network.functionSecurityGroup,
      database: data.database,
      masterSecret: data.masterSecret,
      databaseName: APP_DATABASE_NAME,
      appUserName: APP_DATABASE_USER,
      processorUserName: PROCESSOR_DATABASE_USER,
      // Every workload signs in as its own role: the API, the processor and each job that uses the database.
      loginRoles: [
        ...new Set([
          APP_DATABASE_USER,
          PROCESSOR_DATABASE_USER,
          ...application.workloads.flatMap((workload) =>
            'databaseRole' in workload && workload.databaseRole !== undefined ? [workload.databaseRole] : [],
          ),
        ]),
      ],
      functionEnvironmentKey: keys.functionEnvironment,
      logPolicy,
    });

    this.jwksMirror = this.createJwksMirror(network);
    this.api = new ApiService(this, 'Api', {
      vpc: network.vpc,
      vpcSubnets: network.appSubnets,
      // Referenced by id so the load balancer's ingress rule is created in this stack: a rule
      // added to the network stack's group object would make that stack depend on this one.
      securityGroup: SecurityGroup.fromSecurityGroupId(
        this,
        'ServiceSecurityGroup',
        network.serviceSecurityGroup.securityGroupId,
        { allowAllOutbound: false },
      ),
      repository: props.shared.apiRepository,
      imageTag: this.deployTimeValue('imageTag'),
      listener: this.edge.httpsListener,
      database: data.database,
      databaseName: APP_DATABASE_NAME,
      databaseUser: APP_DATABASE_USER,
      paymentsQueue: this.payments.queue,
      auth: {
        ...this.authSettings(this.jwksMirror),
        ...(deployment.probe ? { probeJwks: JSON.stringify({ keys: [deployment.probe.publicJwk] }) } : {}),
      },
      logPolicy,
      release: release('api'),
      ...config.service,
      containerInsights: config.features.containerInsights,
      enableExecuteCommand: config.features.ecsExec,
    });
    if (deployment.probe && this.edge.testListener) {
      this.preTrafficCheck = new PreTrafficCheck(this, 'PreTrafficCheck', {
        service: this.api.service,
        testBaseUrl: `https://${config.edge.domainName}:${deployment.testPort}`,
        probeKeySecret: Secret.fromSecretNameV2(this, 'ProbeKey', deployment.probe.privateKeySecretName),
        probeKeySecretKey: keys.secrets,
        audience: this.deployTimeValue('authAudience'),
        functionEnvironmentKey: keys.functionEnvironment,
        logPolicy,
      });
    }
    // The first task must find the application role and the schema in place, and the
    // processor its own role: it signs in as a role that a migration creates.
    this.api.service.node.addDependency(this.bootstrap);
    this.payments.processor.node.addDependency(this.bootstrap);
    this.jwksMirror?.grantRead(this.api.taskRole);
    tagWorkload(this.api, 'api', 'service');
    tagWorkload(this.payments, 'payment-processor', 'function');

    this.platform = {
      environmentName: config.name,
      logPolicy,
      messagesKey: keys.messages,
      functionEnvironmentKey: keys.functionEnvironment,
      placement: {
        vpc: network.vpc,
        subnets: network.appSubnets,
        securityGroup: network.functionSecurityGroup,
      },
      database: { instance: data.database, name: APP_DATABASE_NAME, caBundlePath: API_RDS_CA_BUNDLE_PATH },
      cluster: this.api.cluster,
    };
    const queues = new Map<string, IQueue>([['payments', this.payments.queue]]);
    const queueNamed = (name: string): IQueue => {
      const queue = queues.get(name);
      if (!queue)
        throw new InvalidPropError(
          this.node.path,
          'sendsTo',
          name,
          'no queue of this name in the application',
        );
      return queue;
    };
    this.workers = workersOf(application).map((worker) => {
      const built = new QueueWorker(this, `Worker-${worker.name}`, {
        platform: this.platform,
        name: worker.name,
        ...this.imageOf(worker),
        ...(worker.command ? { command: worker.command } : {}),
        size: sizeIn(worker, config.name),
        maxReceiveCount: worker.queue.maxReceiveCount,
        visibilityTimeoutSeconds: worker.queue.visibilityTimeoutSeconds,
        messagesPerTask: worker.queue.messagesPerTask,
        ...this.settingsOf(worker),
      });
      queues.set(worker.name, built.queue);
      return built;
    });
    this.functions = codeFunctionsOf(application).map((declared) => {
      const { secrets, ...settings } = this.settingsOf(declared);
      const built = new LambdaWorkload(this, `Function-${declared.name}`, {
        platform: this.platform,
        name: declared.name,
        codeDirectory: declared.code.directory,
        handler: declared.code.handler,
        timeoutSeconds: declared.timeoutSeconds,
        reservedConcurrency: declared.reservedConcurrency,
        ...(declared.memoryMiB === undefined ? {} : { memoryMiB: declared.memoryMiB }),
        ...(declared.queue ? { queue: declared.queue } : {}),
        ...(declared.every ? { every: declared.every } : {}),
        ...settings,
        ...(secrets ? { secrets } : {}),
      });
      // It signs in as a role the bootstrap creates and allows.
      built.node.addDependency(this.bootstrap);
      if (built.queue) queues.set(declared.name, built.queue);
      return built;
    });
    const internals = internalsOf(application);
    const namespace =
      internals.length === 0
        ? undefined
        : new HttpNamespace(this, 'ServiceConnectNamespace', {
            name: `citadel-${config.name}.internal`,
            description: `Service Connect namespace of the ${config.name} workloads`,
          });
    this.internals = internals.map(
      (internal) =>
        new InternalService(this, `Internal-${internal.name}`, {
          platform: this.platform,
          name: internal.name,
          ...this.imageOf(internal),
          size: sizeIn(internal, config.name),
          port: internal.port,
          namespace: namespace as HttpNamespace,
          ...this.settingsOf(internal),
        }),
    );
    const routes = serviceRoutesIn(application, {
      name: config.name,
      zoneName: dns.zoneName,
      apiDomainName: config.edge.domainName,
    });
    this.services = servicesOf(application).map((service, index) => {
      const { host, pathPrefix } = routes[index] ?? {};
      return new PublicService(this, `Service-${service.name}`, {
        platform: this.platform,
        name: service.name,
        ...this.imageOf(service),
        size: sizeIn(service, config.name),
        port: service.port,
        healthPath: service.healthPath,
        ...(pathPrefix === undefined ? {} : { pathPrefix }),
        ...(host === undefined ? {} : { host }),
        priority: service.routing.priority,
        listener: this.edge.httpsListener,
        release: release(service.name),
        ...this.settingsOf(service),
      });
    });
    const hosts = routes.flatMap((route) => (route.host === undefined ? [] : [route.host]));
    if (hosts.length > 0) {
      this.serviceHostnames = new ServiceHostnames(this, 'ServiceHostnames', {
        hosts: [...new Set(hosts)],
        listener: this.edge.httpsListener,
        ...(this.edge.testListener ? { testListener: this.edge.testListener } : {}),
        loadBalancer: this.edge.loadBalancer,
        zoneName: dns.zoneName,
        ...(dns.provider === 'route53'
          ? { hostedZoneId: dns.hostedZoneId }
          : {
              cloudflare: {
                zoneId: dns.zoneId,
                apiTokenSecret: cloudflareApiToken as ISecret,
                apiTokenKey: keys.secrets,
                functionEnvironmentKey: keys.functionEnvironment,
                logPolicy,
                tags: { 'citadel:environment': config.name, 'citadel:layer': 'app' },
              },
            }),
      });
    }
    const containers: ContainerWorkload[] = [...this.workers, ...this.internals, ...this.services];
    const declared = [...workersOf(application), ...internals, ...servicesOf(application)];
    containers.forEach((workload, index) => {
      // Every workload signs in as a role a migration or the bootstrap creates and allows.
      workload.node.addDependency(this.bootstrap);
      for (const queueName of declared[index]?.sendsTo ?? [])
        workload.sendTo(queueName, queueNamed(queueName));
    });
    internals.forEach((internal, index) => {
      for (const callerName of internal.calledBy) {
        const caller = containers.find((candidate) => candidate.name === callerName);
        if (!caller) {
          throw new InvalidPropError(
            this.node.path,
            `${internal.name}.calledBy`,
            callerName,
            'not a container workload of this application',
          );
        }
        this.internals[index]?.allowCallsFrom(caller);
      }
    });
    this.jobs = jobsOf(application).map((job) => {
      const size = sizeIn(job, config.name);
      const settings = this.settingsOf(job);
      const scheduled = new ScheduledJob(this, `Job-${job.name}`, {
        platform: this.platform,
        name: job.name,
        // A job without an image of its own runs the application image (Citadel's API image).
        ...(job.image
          ? this.imageOf({ name: job.name, image: job.image })
          : { repository: props.shared.apiRepository, imageTag: this.deployTimeValue('imageTag') }),
        ...settings,
        environment: {
          ...settings.environment,
          ...Object.fromEntries(
            (job.sendsTo ?? []).map((name) => [queueUrlVariable(name), queueNamed(name).queueUrl]),
          ),
        },
        command: job.command,
        every: job.every,
        timeoutMinutes: job.timeoutMinutes,
        ...size,
        ...(job.databaseRole === undefined ? {} : { databaseRole: job.databaseRole }),
        sendsTo: (job.sendsTo ?? []).map(queueNamed),
      });
      // A job signs in as a role a migration creates and the bootstrap lets log in.
      scheduled.node.addDependency(this.bootstrap);
      return scheduled;
    });

    this.wireFunctions(application, queueNamed);

    if (config.features.waf) {
      this.webAcl = new WebAcl(this, 'WebAcl', {
        resourceArn: this.edge.loadBalancer.loadBalancerArn,
        name: `citadel-${config.name}`,
        rateLimitPer5Min: config.edge.wafRateLimitPer5Min,
        logPolicy,
      });
    } else {
      acknowledge(
        this.edge.loadBalancer,
        ['NIST.800.53.R5-ALBWAFEnabled', 'PCI.DSS.321-ALBWAFEnabled'],
        'WAF is switched off by this environment config (features.waf); the load balancer still only serves HTTPS with a TLS 1.2+ policy and drops invalid headers.',
      );
    }

    this.addDnsRecords(network, cloudflareApiToken);
  }

  /** What the application's functions send to, and who may invoke them (their roles only). */
  private wireFunctions(application: ApplicationDeclaration, queueNamed: (name: string) => IQueue): void {
    codeFunctionsOf(application).forEach((declared, index) => {
      const built = this.functions[index] as LambdaWorkload;
      for (const queueName of declared.sendsTo ?? []) built.sendTo(queueName, queueNamed(queueName));
      for (const callerName of declared.calledBy ?? []) {
        const variable = { name: built.functionNameVariable, value: built.function.functionName };
        const container = [...this.workers, ...this.internals, ...this.services].find(
          (candidate) => candidate.name === callerName,
        );
        const job = this.jobs.find((candidate) => candidate.name === callerName);
        const fn = this.functions.find((candidate) => candidate.name === callerName);
        if (container) {
          built.allowInvokeFrom(container.taskRole);
          container.addEnvironment(variable.name, variable.value);
        } else if (job) {
          built.allowInvokeFrom(job.taskRole);
          job.taskDefinition.defaultContainer?.addEnvironment(variable.name, variable.value);
        } else if (fn) {
          built.allowInvokeFrom(fn.function);
          fn.function.addEnvironment(variable.name, variable.value);
        } else {
          throw new InvalidPropError(
            this.node.path,
            `${declared.name}.calledBy`,
            callerName,
            'not a workload of this application with a role of its own',
          );
        }
      }
    });
  }

  private addDnsRecords(network: NetworkStack, apiToken: ISecret | undefined): void {
    const dns = this.config.dns;
    const domainName = this.config.edge.domainName;
    if (dns.provider === 'route53') {
      new ARecord(this, 'ApiRecord', {
        zone: HostedZone.fromHostedZoneAttributes(this, 'RecordZone', {
          hostedZoneId: dns.hostedZoneId,
          zoneName: dns.zoneName,
        }),
        recordName: `${domainName}.`,
        target: RecordTarget.fromAlias(new LoadBalancerTarget(this.edge.loadBalancer)),
      });
      return;
    }
    if (!apiToken) throw new Error('the Cloudflare API token secret is referenced with the certificate');
    new CloudflareDnsRecords(this, 'CloudflareDns', {
      zoneId: dns.zoneId,
      apiTokenSecret: apiToken,
      apiTokenKey: network.keys.secrets,
      records: [
        { name: domainName, content: this.edge.loadBalancer.loadBalancerDnsName, proxied: false },
        ...(this.serviceHostnames?.cloudflareRecords ?? []),
      ],
      functionEnvironmentKey: network.keys.functionEnvironment,
      logPolicy: network.logPolicy,
    });
  }

  /** A workload's image: its repository in this account and region, at its tag or the `image:<name>` context. */
  private imageOf(workload: { readonly name: string; readonly image: { repository: string; tag: string } }) {
    const override: unknown = this.node.tryGetContext(`image:${workload.name}`);
    if (override !== undefined && !isImmutableImageTag(override)) {
      throw new InvalidPropError(
        this.node.path,
        `context image:${workload.name}`,
        override,
        'pass an immutable tag or a sha256: digest',
      );
    }
    return {
      repository: Repository.fromRepositoryName(this, `Image-${workload.name}`, workload.image.repository),
      imageTag: typeof override === 'string' ? override : workload.image.tag,
    };
  }

  /** A workload's settings, secrets (by name, from Secrets Manager) and database role. */
  private settingsOf(workload: {
    readonly name: string;
    readonly environment?: Readonly<Record<string, string>>;
    readonly secrets?: Readonly<Record<string, string>>;
    readonly databaseRole?: string;
  }) {
    const secrets = Object.fromEntries(
      Object.entries(workload.secrets ?? {}).map(([variable, secretName]) => [
        variable,
        Secret.fromSecretNameV2(this, `Secret-${workload.name}-${variable}`, secretName),
      ]),
    );
    return {
      ...(workload.environment ? { environment: workload.environment } : {}),
      ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
      ...(workload.databaseRole === undefined ? {} : { databaseRole: workload.databaseRole }),
    };
  }

  private deployTimeValue(key: keyof typeof DEPLOY_TIME_CONTEXT): string {
    const value: unknown = this.node.tryGetContext(key);
    if (value === undefined) return DEPLOY_TIME_CONTEXT[key];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new InvalidPropError(
        this.node.path,
        `context ${key}`,
        value,
        `pass a non-empty string with --context ${key}=<value>`,
      );
    }
    return value;
  }

  /**
   * The JWKS mirror that copies the keys at `authJwksUrl` into an SSM parameter for the
   * tasks, which cannot reach the internet; none when the keys are pinned with `authJwks`.
   */
  private createJwksMirror(network: NetworkStack): JwksMirror | undefined {
    if (this.node.tryGetContext('authJwks') !== undefined) return undefined;
    return new JwksMirror(this, 'JwksMirror', {
      jwksUrl: this.deployTimeValue('authJwksUrl'),
      parameterName: `/citadel/${this.config.name}/auth/jwks`,
      functionEnvironmentKey: network.keys.functionEnvironment,
      logPolicy: network.logPolicy,
    });
  }

  /** The mirror's parameter, or the keys pinned with `--context authJwks=<JSON>`. */
  private authSettings(mirror: JwksMirror | undefined): ApiAuthSettings {
    const common = {
      issuer: this.deployTimeValue('authIssuer'),
      audience: this.deployTimeValue('authAudience'),
    };
    if (mirror) return { ...common, jwksParameterName: mirror.parameter.parameterName };
    const jwks: unknown = this.node.tryGetContext('authJwks');
    if (typeof jwks !== 'string' || jwks.trim() === '') {
      throw new InvalidPropError(
        this.node.path,
        'context authJwks',
        jwks,
        'pass the JSON Web Key Set as a string',
      );
    }
    return { ...common, jwks };
  }
}
