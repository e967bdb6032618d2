import { Port } from 'aws-cdk-lib/aws-ec2';
import type { INamespace } from 'aws-cdk-lib/aws-servicediscovery';
import type { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';
import { ContainerWorkload, type ContainerWorkloadProps } from './container-service.js';

export interface InternalServiceProps extends ContainerWorkloadProps {
  /** Container port (unprivileged, 1024 or above). */
  readonly port: number;
  /** The environment's Service Connect namespace (Cloud Map). */
  readonly namespace: INamespace;
}

/**
 * A container service reachable only from other workloads of the environment, through
 * ECS Service Connect: it registers as `http://<name>:<port>` in the environment's
 * namespace, has no load balancer and no public address, and its security group admits
 * its port only from the workloads `allowCallsFrom` names.
 */
export class InternalService extends ContainerWorkload {
  readonly port: number;
  readonly namespace: INamespace;

  constructor(scope: Construct, id: string, props: InternalServiceProps) {
    if (!Number.isInteger(props.port) || props.port < 1024 || props.port > 65_535) {
      throw new InvalidPropError(
        `${scope.node.path}/${id}`,
        'port',
        props.port,
        'give an unprivileged port from 1024 to 65535',
      );
    }
    super(scope, id, props, 'internal', { port: props.port, environment: { PORT: String(props.port) } });
    this.port = props.port;
    this.namespace = props.namespace;
    this.service.enableServiceConnect({
      namespace: props.namespace.namespaceArn,
      services: [
        { portMappingName: props.name, dnsName: props.name, discoveryName: props.name, port: props.port },
      ],
    });
    this.joinedAsServer(props.namespace);
    this.scaleOnCpu(props.size);
  }

  /** The address callers use inside the mesh. */
  get url(): string {
    return `http://${this.name}:${this.port}`;
  }

  /**
   * Lets `caller` reach this service: the caller joins the namespace as a Service Connect
   * client, learns the address as `<NAME>_URL`, and the two security groups admit exactly
   * this port between them.
   */
  allowCallsFrom(caller: ContainerWorkload): void {
    if (caller === this)
      throw new InvalidPropError(this.node.path, 'caller', caller.name, 'a service does not call itself');
    caller.joinServiceConnect(this.namespace);
    caller.addEnvironment(`${this.name.toUpperCase().replaceAll('-', '_')}_URL`, this.url);
    this.service.connections.allowFrom(
      caller.service,
      Port.tcp(this.port),
      `${caller.name} calls ${this.name}`,
    );
  }
}
