import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Manifest {
  readonly artifacts?: Record<
    string,
    {
      readonly type: string;
      readonly displayName?: string;
      readonly properties?: { readonly templateFile?: string; readonly directoryName?: string };
    }
  >;
}

/**
 * Path of the template of the stack shown as `displayName` (for example `dev/shared`) in a
 * synthesized cloud assembly, looking inside stage assemblies; undefined when it has none.
 */
export function findStackTemplate(assemblyDir: string, displayName: string): string | undefined {
  const manifestPath = join(assemblyDir, 'manifest.json');
  if (!existsSync(manifestPath)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    if (
      artifact.type === 'aws:cloudformation:stack' &&
      artifact.displayName === displayName &&
      artifact.properties?.templateFile
    ) {
      return join(assemblyDir, artifact.properties.templateFile);
    }
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      const nested = findStackTemplate(join(assemblyDir, artifact.properties.directoryName), displayName);
      if (nested) return nested;
    }
  }
  return undefined;
}
