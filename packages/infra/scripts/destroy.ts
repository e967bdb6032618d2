import { AwsCliError, runAwsCli } from './lib/aws-cli.js';
import { destroy } from './lib/destroy.js';
import { runCommand } from './lib/main.js';

await runCommand('destroy', async (argv, deps) => {
  try {
    return await destroy(argv, { ...deps, runAws: runAwsCli });
  } catch (error) {
    if (!(error instanceof AwsCliError)) throw error;
    console.error(`destroy: ${error.message}. The stacks not reached yet keep their protection.`);
    return 1;
  }
});
