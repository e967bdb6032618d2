import type { DestinationStream, LoggerOptions } from 'pino';
import type { Config } from './config.js';

/**
 * Log paths that may carry credentials or protected health information. Bodies are never
 * logged; these paths cover headers, errors and any structured field a handler might add.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'patient.name',
  'patient.dateOfBirth',
  'patient.medicalRecordNumber',
  'dateOfBirth',
  '*.dateOfBirth',
  'medicalRecordNumber',
  '*.medicalRecordNumber',
  'body',
  '*.body',
];

export function loggerOptions(
  config: Pick<Config, 'logLevel'>,
  stream?: DestinationStream,
): LoggerOptions & { stream?: DestinationStream } {
  const options: LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: 'citadel-api' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
  };
  return stream ? { ...options, stream } : options;
}
