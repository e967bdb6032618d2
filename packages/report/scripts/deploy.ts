import { runCommand } from '@citadel/infra/command';
import { deploy } from '@citadel/infra/delivery';
import { renderRevisionReport } from '../src/revision/index.js';

// `npm run deploy`. The report package sits above infra, so this is where the two meet: every
// deploy stores the report of the assembly it deploys next to its change record, and infra,
// which deploys, never imports the report (or the AGPL-licensed IAM evaluator it uses).
await runCommand('deploy', deploy, renderRevisionReport);
