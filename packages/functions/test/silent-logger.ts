import { Logger } from '@aws-lambda-powertools/logger';

/** A real Powertools logger that writes nothing, so test output stays readable. */
export function silentLogger(serviceName: string): Logger {
  return new Logger({ serviceName, logLevel: 'SILENT' });
}
