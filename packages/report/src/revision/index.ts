export type { RevisionReport } from '@citadel/infra/delivery';
export { renderRevisionReport, RevisionReportError } from './revision-report.js';
