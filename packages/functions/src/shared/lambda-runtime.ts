/** Where the Lambda Node.js runtime keeps its CA bundle, which includes the RDS certificate authorities. */
export const LAMBDA_CA_BUNDLE_PATH = '/var/runtime/ca-cert.pem';
