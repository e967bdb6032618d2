import { courses } from './courses.js';
import { dev } from './dev.js';
import { prod } from './prod.js';
import { qa } from './qa.js';
import { ENVIRONMENT_NAMES, type EnvironmentConfig, type EnvironmentName } from './schema.js';
import {
  ConfigError,
  isEnvironmentName,
  validateAcrossEnvironments,
  validateEnvironmentConfig,
} from './validate.js';

export * from './schema.js';
export { ConfigError, isEnvironmentName, validateAcrossEnvironments, validateEnvironmentConfig };

const CONFIGS: Readonly<Record<EnvironmentName, EnvironmentConfig>> = { dev, qa, prod, courses };

/** The validated config of one environment; throws ConfigError for an unknown name or a bad value. */
export function loadEnvironmentConfig(name: string): EnvironmentConfig {
  if (!isEnvironmentName(name)) {
    throw new ConfigError(
      name,
      'name',
      name,
      `unknown environment; expected one of ${ENVIRONMENT_NAMES.join(', ')}`,
    );
  }
  const config = validateEnvironmentConfig(CONFIGS[name]);
  if (config.name !== name) {
    throw new ConfigError(
      name,
      'name',
      config.name,
      `the config file for "${name}" must declare name "${name}"`,
    );
  }
  return config;
}

/** Every environment's validated config, in deploy-promotion order, checked against each other too. */
export function loadAllEnvironmentConfigs(): readonly EnvironmentConfig[] {
  const configs = ENVIRONMENT_NAMES.map((name) => loadEnvironmentConfig(name));
  validateAcrossEnvironments(configs);
  return configs;
}
