import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { runServer } from './run-server.js';

/** Production entry point: configuration from the environment, JSON logs to stdout. */
try {
  const server = await runServer(loadConfig());
  server.app.log.info({ url: server.url }, 'citadel api listening');
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`citadel-api: ${error.message}`);
    process.exit(78);
  }
  throw error;
}
