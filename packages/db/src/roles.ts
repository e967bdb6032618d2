/**
 * Database role and database names: the one place they are spelled. Migrations already
 * applied keep their literal SQL; everything else (local set-up, tests, the API, the
 * infrastructure) imports these.
 */

/** The database every Citadel service connects to. */
export const DATABASE_NAME = 'citadel';

/** The API: creates patients and pending payments, reads them, records idempotency keys. */
export const APP_ROLE = 'citadel_app';

/** The payment processor: reads payments and records their outcome. */
export const PROCESSOR_ROLE = 'citadel_processor';

/** The idempotency-key retention job: reads key ages and deletes expired keys. */
export const RETENTION_ROLE = 'citadel_retention';

/** The payment outbox sweeper: reads which payments are still pending, and since when. */
export const OUTBOX_ROLE = 'citadel_outbox';

/** Every role the migrations create for a service; none of them may log in until the bootstrap allows it. */
export const SERVICE_ROLES = [APP_ROLE, PROCESSOR_ROLE, RETENTION_ROLE, OUTBOX_ROLE] as const;

export type ServiceRole = (typeof SERVICE_ROLES)[number];
