import { deploy } from './lib/delivery.js';
import { runCommand } from './lib/main.js';

await runCommand('deploy', deploy);
