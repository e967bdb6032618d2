import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';

/** One AWS::Lambda::Function of the synthesized app and the directory its code is zipped from. */
export interface DeployedFunction {
  /** `<stack>/<logical id>`. */
  readonly id: string;
  /** `Handler` of the function, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  /** Directory in the cloud assembly that the CDK zips and uploads as the function's code. */
  readonly assetDir: string;
}

interface CfnFunction {
  readonly Type: string;
  readonly Properties?: { Handler?: string; Runtime?: string; Code?: { S3Key?: unknown; ZipFile?: unknown } };
}

/** Every Lambda function of every stack of every stage, with the asset directory it deploys. */
export function deployedFunctions(assembly: CloudAssembly): DeployedFunction[] {
  const found: DeployedFunction[] = [];
  for (const stage of assembly.nestedAssemblies) {
    for (const stack of stage.nestedAssembly.stacks) {
      const files = new Map<string, string>();
      for (const manifest of stack.dependencies.filter(AssetManifestArtifact.isAssetManifestArtifact)) {
        const parsed = JSON.parse(readFileSync(manifest.file, 'utf8')) as {
          files?: Record<string, { source: { path?: string } }>;
        };
        for (const [hash, asset] of Object.entries(parsed.files ?? {})) {
          if (asset.source.path) files.set(hash, join(dirname(manifest.file), asset.source.path));
        }
      }
      const resources = (stack.template as { Resources?: Record<string, CfnFunction> }).Resources ?? {};
      for (const [logicalId, resource] of Object.entries(resources)) {
        if (resource.Type !== 'AWS::Lambda::Function') continue;
        const id = `${stack.stackName}/${logicalId}`;
        const key = resource.Properties?.Code?.S3Key;
        const hash = typeof key === 'string' ? key.replace(/\.zip$/, '') : undefined;
        const assetDir = hash === undefined ? undefined : files.get(hash);
        if (assetDir === undefined)
          throw new Error(
            `${id} deploys no file asset of this assembly (Code: ${JSON.stringify(resource.Properties?.Code)})`,
          );
        found.push({
          id,
          handler: String(resource.Properties?.Handler),
          runtime: String(resource.Properties?.Runtime),
          assetDir,
        });
      }
    }
  }
  return found;
}

/** Relative path → SHA-256 of every file under `dir`. */
export function fileDigests(dir: string): Map<string, string> {
  const digests = new Map<string, string>();
  const walk = (current: string): void => {
    for (const entry of readdirSync(current)) {
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else digests.set(relative(dir, path), sha256(path));
    }
  };
  walk(dir);
  return digests;
}

/** Total bytes of every file under `dir`: what the function's zip unpacks to. */
export function directoryBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const stats = statSync(join(dir, entry));
    if (stats.isFile()) bytes += stats.size;
  }
  return bytes;
}

/**
 * SHA-256 of every handler file aws-cdk-lib ships prebuilt (its custom-resource handlers and
 * the provider framework's runtime): functions the CDK adds whose code Citadel does not build.
 */
export function cdkShippedHandlerDigests(): Set<string> {
  const cdkRoot = dirname(createRequire(import.meta.url).resolve('aws-cdk-lib/package.json'));
  const digests = new Set<string>();
  for (const folder of ['custom-resource-handlers/dist', 'custom-resources/lib/provider-framework/runtime']) {
    const root = join(cdkRoot, folder);
    for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
      const path = join(root, entry);
      if (statSync(path).isFile() && path.endsWith('.js')) digests.add(sha256(path));
    }
  }
  return digests;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
