// Brings in the `inject('postgresAdminUrl')` typing that @citadel/db/testing declares in its global setup.
import type {} from '../../db/src/testing/global-setup.js';
