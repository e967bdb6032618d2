import { buildCitadelApp } from '../lib/citadel-app.js';

buildCitadelApp().app.synth();
