import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ENVIRONMENTS_DIRECTORY, loadEnvironmentsFrom, type EnvironmentConfig } from '../config/index.js';
import {
  CITADEL_APPLICATION,
  validateApplication,
  type ApplicationDeclaration,
} from '../config/workloads.js';
import { readCdkContext } from './citadel-app.js';

/**
 * Names the module whose default export is the team's application declaration. Read from the
 * environment first, then from the `context` of packages/infra/cdk.json.
 */
export const APPLICATION_SETTING = 'CITADEL_APPLICATION';
/** Names one or more directories of environment files, `:`-separated. Read like APPLICATION_SETTING. */
export const ENVIRONMENTS_SETTING = 'CITADEL_ENVIRONMENTS';

/** packages/infra, where cdk.json lives: relative paths written in cdk.json resolve from here. */
const INFRA_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));

/** The project's settings cannot be used: a path that does not exist, a module without a declaration. */
export class ProjectError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProjectError';
  }
}

/** What every command builds: the environments and the application each of them runs. */
export interface CitadelProject {
  readonly configs: readonly EnvironmentConfig[];
  readonly application: ApplicationDeclaration;
  /** Absolute path of the application module; undefined for Citadel's own application. */
  readonly applicationPath: string | undefined;
  /** Absolute paths of the environment directories, in the order given. */
  readonly environmentDirectories: readonly string[];
}

export interface LoadProjectOptions {
  /**
   * Directory relative paths from the environment resolve from.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * The cdk.json context read when the environment does not name a setting.
   * @default readCdkContext - packages/infra/cdk.json
   */
  readonly cdkContext?: Readonly<Record<string, unknown>>;
}

/**
 * The project every command builds. Without settings that is Citadel's own application and
 * environments; with CITADEL_APPLICATION and CITADEL_ENVIRONMENTS (environment, or cdk.json
 * context) it is a team's. Throws ProjectError naming the path that cannot be used, or the
 * ConfigError of an invalid environment file.
 */
export async function loadProject(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadProjectOptions = {},
): Promise<CitadelProject> {
  const cdkContext = options.cdkContext ?? readCdkContext();
  const setting = (name: string): { value: string; base: string } | undefined => {
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv.trim() !== '')
      return { value: fromEnv, base: options.cwd ?? process.cwd() };
    const fromCdkJson = cdkContext[name];
    if (typeof fromCdkJson === 'string' && fromCdkJson.trim() !== '')
      return { value: fromCdkJson, base: INFRA_DIRECTORY };
    return undefined;
  };
  const applicationSetting = setting(APPLICATION_SETTING);
  const applicationPath = applicationSetting
    ? existingPath(APPLICATION_SETTING, applicationSetting.value, applicationSetting.base, 'file')
    : undefined;
  const application = applicationPath ? await importApplication(applicationPath) : CITADEL_APPLICATION;

  const environmentsSetting = setting(ENVIRONMENTS_SETTING);
  const environmentDirectories = environmentsSetting
    ? environmentsSetting.value
        .split(':')
        .filter((part) => part.trim() !== '')
        .map((part) => existingPath(ENVIRONMENTS_SETTING, part, environmentsSetting.base, 'directory'))
    : [ENVIRONMENTS_DIRECTORY];
  if (environmentDirectories.length === 0) {
    throw new ProjectError(`${ENVIRONMENTS_SETTING} "${environmentsSetting?.value}" names no directory.`);
  }
  const configs = await loadEnvironmentsFrom(...environmentDirectories);
  if (configs.length === 0) {
    throw new ProjectError(
      `${ENVIRONMENTS_SETTING}: ${environmentDirectories.join(', ')} holds no environment file (<name>.ts exporting defineEnvironment({ … })).`,
    );
  }
  return { configs, application, applicationPath, environmentDirectories };
}

/**
 * The settings a child process (the CDK CLI runs bin/citadel.ts from packages/infra) needs to
 * build the same project: absolute paths, so they mean the same from any directory.
 */
export function projectEnvironment(project: CitadelProject): Record<string, string> {
  return {
    ...(project.applicationPath ? { [APPLICATION_SETTING]: project.applicationPath } : {}),
    [ENVIRONMENTS_SETTING]: project.environmentDirectories.join(':'),
  };
}

function existingPath(setting: string, value: string, base: string, kind: 'file' | 'directory'): string {
  const path = isAbsolute(value) ? value : resolve(base, value);
  if (!existsSync(path)) {
    throw new ProjectError(`${setting}: ${path} does not exist (from "${value}", resolved from ${base}).`);
  }
  const isDirectory = statSync(path).isDirectory();
  if (kind === 'directory' && !isDirectory) {
    throw new ProjectError(`${setting}: ${path} is not a directory of environment files.`);
  }
  if (kind === 'file' && isDirectory) {
    throw new ProjectError(
      `${setting}: ${path} is a directory; name the module that declares the application.`,
    );
  }
  return path;
}

async function importApplication(path: string): Promise<ApplicationDeclaration> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    throw new ProjectError(
      `${APPLICATION_SETTING}: ${path} could not be loaded: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (module.default === undefined) {
    throw new ProjectError(
      `${APPLICATION_SETTING}: ${path} has no default export; write export default validateApplication({ workloads: [ … ] }, '<team>').`,
    );
  }
  try {
    return validateApplication(module.default, path);
  } catch (error) {
    throw new ProjectError(
      `${APPLICATION_SETTING}: ${path} does not declare a valid application: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
