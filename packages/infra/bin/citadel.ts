import { buildCitadelApp } from '../lib/citadel-app.js';
import { loadProject } from '../lib/project.js';

// The project named by CITADEL_APPLICATION / CITADEL_ENVIRONMENTS (environment or cdk.json
// context), Citadel's own when neither is set: the same one every npm run command builds.
const { configs, application } = await loadProject();
buildCitadelApp({ configs, application }).app.synth();
