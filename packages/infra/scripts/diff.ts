import { diff } from './lib/delivery.js';
import { runCommand } from './lib/main.js';

await runCommand('diff', diff);
