import { renderRevisionReport } from '@citadel/report/revision-report';
import { deploy } from './lib/delivery.js';
import { runCommand } from './lib/main.js';

// The report package sits above infra; this entry point is where the two meet, so that every
// deploy stores the report of the assembly it deploys next to its change record.
await runCommand('deploy', deploy, renderRevisionReport);
