import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

/** A parsed build stage: its FROM line and the instructions up to the next FROM. */
export interface DockerStage {
  readonly name: string | undefined;
  readonly image: string;
  readonly instructions: readonly Instruction[];
}

const DIGEST = /@sha256:[0-9a-f]{64}$/;
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|ACCESS_KEY|API_KEY|CREDENTIAL)/i;

export function lintDockerfile(text: string): string[] {
  return validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
}

export function stagesOf(text: string): DockerStage[] {
  const stages: { name: string | undefined; image: string; instructions: Instruction[] }[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image = '', as, name] = instruction.getArguments().map((a) => a.getValue());
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, image, instructions: [] });
    }
    stages.at(-1)?.instructions.push(instruction);
  }
  return stages;
}

export function unpinnedBaseImages(stages: readonly DockerStage[]): string[] {
  const names = new Set(stages.map((s) => s.name));
  return stages.map((s) => s.image).filter((image) => !names.has(image) && !DIGEST.test(image));
}

/** The user the stage ends with, or undefined when it never sets one (root). */
export function finalUser(stage: DockerStage): string | undefined {
  return stage.instructions
    .filter((i) => i.getKeyword() === 'USER')
    .map((i) => i.getArgumentsContent() ?? '')
    .at(-1);
}

export function runsAsNumericNonRoot(stage: DockerStage): boolean {
  const match = /^(\d+)(?::(\d+))?$/.exec(finalUser(stage) ?? '');
  return match !== null && Number(match[1]) !== 0 && (match[2] === undefined || Number(match[2]) !== 0);
}

/** ARG and ENV names or values that look like they carry a secret into a layer. */
export function secretLookingVariables(text: string): string[] {
  return DockerfileParser.parse(text)
    .getInstructions()
    .filter((i) => i.getKeyword() === 'ARG' || i.getKeyword() === 'ENV')
    .flatMap((i) => (i.getArgumentsContent() ?? '').split(/\s+/))
    .map((pair) => pair.split('=')[0] ?? '')
    .filter((name) => SECRET_NAME.test(name));
}

/** Files a COPY or ADD brings into a stage from the build context (not from another stage). */
export function contextSources(stage: DockerStage): string[] {
  return stage.instructions
    .filter((i) => i.getKeyword() === 'COPY' || i.getKeyword() === 'ADD')
    .filter((i) => !/--from=/.test(i.getTextContent()))
    .flatMap((i) =>
      i
        .getArguments()
        .slice(0, -1)
        .map((a) => a.getValue()),
    );
}
