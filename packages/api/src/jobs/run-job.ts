import { runJobCommand } from './job-command.js';

/**
 * Entry point of the maintenance jobs' bundle, `/app/jobs.mjs` in the image:
 * `node jobs.mjs <job-name>` runs one job once (a scheduled ECS task) and exits.
 */
process.exitCode = await runJobCommand(process.argv.slice(2), process.env);
