export * from './errors.js';
export {
  createPaymentProcessor,
  type PaymentProcessorDependencies,
} from './payment-processor/process-batch.js';
export { poolOptionsFromEnvironment } from './payment-processor/pool-options.js';
export {
  createDatabaseBootstrap,
  type DatabaseBootstrapDependencies,
} from './database-bootstrap/bootstrap-handler.js';
export { bootstrapDatabase } from './database-bootstrap/bootstrap-database.js';
export { createCloudflareDns, type CloudflareDnsDependencies } from './cloudflare-dns/dns-handler.js';
export { CloudflareDnsClient, CLOUDFLARE_API_BASE_URL } from './cloudflare/cloudflare-client.js';
export type { CustomResourceResponse } from './shared/custom-resource.js';
export {
  createCloudflareCertificate,
  type CloudflareCertificateDependencies,
  type CloudflareCertificateHandlers,
} from './cloudflare-certificate/certificate-handler.js';
export { DRILL_METRICS, embeddedMetricRecord } from './restore-validation/drill-evidence.js';
export { DAYS_SINCE_SUCCESSFUL_DRILL, freshnessMetricRecord } from './restore-validation/drill-freshness.js';
