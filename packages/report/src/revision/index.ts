export { renderRevisionReport, RevisionReportError, type RevisionReport } from './revision-report.js';
