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

/** Paths a VOLUME instruction declares (`VOLUME /a /b` or `VOLUME ["/a", "/b"]`). */
function volumePaths(instruction: Instruction): string[] {
  const content = (instruction.getArgumentsContent() ?? '').trim();
  const paths = content.startsWith('[') ? (JSON.parse(content) as string[]) : content.split(/\s+/);
  return paths.map(normalizePath);
}

function normalizePath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** `uid[:gid]` of a `--chown=` flag on a COPY or ADD, when it has one. */
function chownOf(instruction: Instruction): string | undefined {
  return /--chown=(\S+)/.exec(instruction.getTextContent())?.[1];
}

/** True when `owner` (`uid[:gid]`) is the runtime `user` (`uid[:gid]`): same uid, and same gid where both give one. */
function sameOwner(owner: string, user: string): boolean {
  const [ownerUid, ownerGid] = owner.split(':');
  const [userUid, userGid] = user.split(':');
  return ownerUid === userUid && (ownerGid === undefined || userGid === undefined || ownerGid === userGid);
}

/**
 * True when the instruction brings `path` into the image owned by `user`: a
 * `COPY --from=<stage> --chown=<user> <dir>/ <ancestor>/` where `<ancestor>` is above `path` and
 * a RUN of `<stage>` creates `<dir>/<rest of path>`. The path must sit below the destination:
 * BuildKit applies --chown and the source mode to every entry it copies, but an existing
 * destination directory (distroless already has /tmp) keeps its own owner and mode.
 */
function copiesOwnedBy(
  instruction: Instruction,
  path: string,
  user: string,
  stages: readonly DockerStage[],
): boolean {
  if (instruction.getKeyword() !== 'COPY') return false;
  const owner = chownOf(instruction);
  const from = /--from=(\S+)/.exec(instruction.getTextContent())?.[1];
  const values = instruction
    .getArguments()
    .map((a) => a.getValue())
    .filter((value) => !value.startsWith('--'));
  const [source, destination] = values.length === 2 ? values.map(normalizePath) : [];
  if (owner === undefined || !sameOwner(owner, user) || !source || !destination) return false;
  const prefix = destination === '/' ? '/' : `${destination}/`;
  if (!path.startsWith(prefix)) return false;
  const created = `${source === '/' ? '' : source}/${path.slice(prefix.length)}`;
  const sourceStage = stages.find((stage) => stage.name === from);
  return (sourceStage?.instructions ?? [])
    .filter((i) => i.getKeyword() === 'RUN')
    .some((i) => (i.getArgumentsContent() ?? '').split(/\s+/).includes(created));
}

/**
 * Why each path the task definition mounts would not be writable by the runtime user, or an
 * empty list. A Fargate bind mount is an empty directory owned by root unless the image
 * declares the path as a VOLUME, in which case it starts with the image's directory, owner
 * and mode. So each mounted path must be brought into the last stage owned by the runtime
 * user and only then declared as a VOLUME (changes after a VOLUME are discarded).
 */
export function unwritableMountPaths(
  stages: readonly DockerStage[],
  mountPaths: readonly string[],
): string[] {
  const stage = stages.at(-1);
  const user = stage ? finalUser(stage) : undefined;
  const problems: string[] = [];
  for (const mountPath of mountPaths.map(normalizePath)) {
    const instructions = stage?.instructions ?? [];
    const volumeAt = instructions.findIndex(
      (i) => i.getKeyword() === 'VOLUME' && volumePaths(i).includes(mountPath),
    );
    if (volumeAt < 0) {
      problems.push(`${mountPath}: not declared as a VOLUME, so the mount is owned by root`);
    } else if (user === undefined) {
      problems.push(`${mountPath}: the stage sets no USER to own it`);
    } else if (!instructions.slice(0, volumeAt).some((i) => copiesOwnedBy(i, mountPath, user, stages))) {
      problems.push(
        `${mountPath}: not copied in with --chown=${user}, from a parent directory, before its VOLUME`,
      );
    }
  }
  return problems;
}
