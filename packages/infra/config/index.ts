import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EnvironmentConfig } from './schema.js';
import { ConfigError, validateAcrossEnvironments, validateEnvironmentConfig } from './validate.js';

export * from './schema.js';
export { ConfigError, validateAcrossEnvironments, validateEnvironmentConfig };

/** Where the environments live: one file per environment, named as the environment. */
export const ENVIRONMENTS_DIRECTORY = fileURLToPath(new URL('./environments/', import.meta.url));

/**
 * Loads every environment file of the directories (`<name>.ts`, its default export),
 * checks each against the schema and all of them against the rules across environments,
 * and returns them sorted by name. Adding an environment is adding a file. Throws
 * ConfigError naming the file's environment, field and value.
 */
export async function loadEnvironmentsFrom(...directories: string[]): Promise<EnvironmentConfig[]> {
  const files = directories
    .flatMap((directory) =>
      readdirSync(directory)
        .filter((file) => /^[^.].*\.(ts|mts|js|mjs)$/.test(file) && !/\.(test|d)\.[mc]?[tj]s$/.test(file))
        .map((file) => ({ directory, file })),
    )
    .sort((a, b) => a.file.localeCompare(b.file));
  const configs: EnvironmentConfig[] = [];
  for (const { directory, file } of files) {
    const expected = basename(file).replace(/\.[mc]?[tj]s$/, '');
    const module = (await import(pathToFileURL(join(directory, file)).href)) as { default?: unknown };
    if (module.default === undefined) {
      throw new ConfigError(
        expected,
        '(file)',
        undefined,
        `${file} has no default export; write export default defineEnvironment({ … })`,
      );
    }
    const config = validateEnvironmentConfig(module.default);
    if (config.name !== expected) {
      throw new ConfigError(
        expected,
        'name',
        config.name,
        `the file ${file} must declare name "${expected}"`,
      );
    }
    if (configs.some((other) => other.name === config.name)) {
      throw new ConfigError(
        config.name,
        'name',
        config.name,
        `two files declare environment "${config.name}"`,
      );
    }
    configs.push(config);
  }
  validateAcrossEnvironments(configs);
  return configs;
}

const CONFIGS = await loadEnvironmentsFrom(ENVIRONMENTS_DIRECTORY);

/** The names of the environments in config/environments/, sorted. */
export const ENVIRONMENT_NAMES: readonly string[] = CONFIGS.map((config) => config.name);

/** True when config/environments/ holds an environment of this name. */
export function isEnvironmentName(name: string): boolean {
  return ENVIRONMENT_NAMES.includes(name);
}

/** The validated config of one environment; throws ConfigError for an unknown name. */
export function loadEnvironmentConfig(name: string): EnvironmentConfig {
  const config = CONFIGS.find((candidate) => candidate.name === name);
  if (!config) {
    throw new ConfigError(
      name,
      'name',
      name,
      `unknown environment; expected one of ${ENVIRONMENT_NAMES.join(', ')} (or add config/environments/${name}.ts)`,
    );
  }
  return config;
}

/** Every environment's validated config, checked against each other too. */
export function loadAllEnvironmentConfigs(): EnvironmentConfig[] {
  return [...CONFIGS];
}
