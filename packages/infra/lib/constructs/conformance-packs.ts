import { readFileSync } from 'node:fs';
import {
  CfnConformancePack,
  type CfnConfigurationRecorder,
  type CfnDeliveryChannel,
} from 'aws-cdk-lib/aws-config';
import { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';

/** Folder of AWS's sample conformance pack templates, vendored unchanged (see its SOURCE.json). */
export const CONFORMANCE_PACK_DIRECTORY = new URL('../../vendor/conformance-packs/', import.meta.url);

/** CloudFormation's and Config's limit on `TemplateBody` of a conformance pack. */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

/** One AWS sample conformance pack Citadel deploys. */
export interface ConformancePackTemplate {
  /** Construct id and the conformance pack's name in the account and region. */
  readonly name: string;
  /** AWS's title of the sample template. */
  readonly title: string;
  /** File in the vendored folder. */
  readonly file: string;
}

export const HIPAA_SECURITY_PACK: ConformancePackTemplate = {
  name: 'citadel-hipaa-security',
  title: 'Operational Best Practices for HIPAA Security',
  file: 'Operational-Best-Practices-for-HIPAA-Security.yaml',
};

/** The PCI DSS 4.0 pack whose IAM and other global-resource rules are evaluated only where they are recorded. */
export function pciDssPack(includeGlobalResourceTypes: boolean): ConformancePackTemplate {
  const variant = includeGlobalResourceTypes ? 'including' : 'excluding';
  return {
    name: 'citadel-pci-dss-v4',
    title: `Operational Best Practices for PCI DSS 4.0 (${variant} global resource types)`,
    file: `Operational-Best-Practices-for-PCI-DSS-v4.0-${variant}-global-resourcetypes.yaml`,
  };
}

/** The template body of a vendored pack, as deployed. */
export function conformancePackBody(template: ConformancePackTemplate): string {
  return readFileSync(new URL(template.file, CONFORMANCE_PACK_DIRECTORY), 'utf8');
}

export interface ConformancePacksProps {
  /** The region's Config recorder; a pack created before it exists fails. */
  readonly recorder: CfnConfigurationRecorder;
  /** The recorder's delivery channel; Config evaluates rules only once it delivers. */
  readonly deliveryChannel: CfnDeliveryChannel;
  /**
   * The recorder also records IAM and the other global resource types, so the PCI DSS pack
   * that evaluates them is deployed; elsewhere the variant without them.
   */
  readonly includeGlobalResourceTypes: boolean;
  /**
   * Values for the packs' template parameters, by pack name then parameter name; each must be
   * a parameter the pack's template declares.
   * @default - the defaults in AWS's templates
   */
  readonly parameters?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * AWS Config conformance packs that evaluate, continuously and in the account, the controls
 * the synth-time rule packs check in templates: AWS's "Operational Best Practices for HIPAA
 * Security" and "Operational Best Practices for PCI DSS 4.0" sample templates, unchanged.
 * Each template fits `TemplateBody`, so no delivery bucket is needed to stage it.
 */
export class ConformancePacks extends Construct {
  readonly packs: readonly CfnConformancePack[];
  readonly templates: readonly ConformancePackTemplate[];

  constructor(scope: Construct, id: string, props: ConformancePacksProps) {
    super(scope, id);
    this.templates = [HIPAA_SECURITY_PACK, pciDssPack(props.includeGlobalResourceTypes)];
    const parameters = props.parameters ?? {};
    for (const packName of Object.keys(parameters)) {
      if (!this.templates.some((template) => template.name === packName)) {
        throw new InvalidPropError(
          this.node.path,
          'parameters',
          packName,
          `name one of the packs: ${this.templates.map((template) => template.name).join(', ')}`,
        );
      }
    }
    this.packs = this.templates.map((template) => {
      const body = conformancePackBody(template);
      const bytes = Buffer.byteLength(body, 'utf8');
      if (bytes > MAX_TEMPLATE_BODY_BYTES) {
        throw new InvalidPropError(
          this.node.path,
          template.file,
          `${bytes} bytes`,
          `TemplateBody holds at most ${MAX_TEMPLATE_BODY_BYTES} bytes; deploy this pack through TemplateS3Uri instead`,
        );
      }
      const values = parameters[template.name] ?? {};
      for (const name of Object.keys(values)) {
        const declared =
          /^[A-Za-z0-9]+$/.test(name) && new RegExp(`^  ${name}:\\s*$`, 'm').test(parametersSection(body));
        if (!declared) {
          throw new InvalidPropError(
            this.node.path,
            `parameters.${template.name}`,
            name,
            `name a parameter declared in ${template.file}`,
          );
        }
      }
      const pack = new CfnConformancePack(this, template.name, {
        conformancePackName: template.name,
        templateBody: body,
        conformancePackInputParameters: Object.entries(values).map(([parameterName, parameterValue]) => ({
          parameterName,
          parameterValue,
        })),
      });
      pack.addResourceDependency(props.recorder);
      pack.addResourceDependency(props.deliveryChannel);
      return pack;
    });
  }
}

/** The `Parameters:` block of a template, so a parameter name matches only where it is declared. */
function parametersSection(body: string): string {
  const start = body.search(/^Parameters:\s*$/m);
  if (start < 0) return '';
  const rest = body.slice(start + 'Parameters:'.length);
  const end = rest.search(/^\S/m);
  return end < 0 ? rest : rest.slice(0, end);
}
