import type { Migration } from 'kysely';
import * as applicationRole from './0001_application_role.js';
import * as patientsPaymentsAudit from './0002_patients_payments_audit.js';
import * as paymentProcessorRole from './0003_payment_processor_role.js';
import * as maintenanceRoles from './0004_maintenance_roles.js';

/**
 * Every migration, in order. Forward-only: a released migration is never edited or
 * removed; a change is a new, higher-numbered file added here. The list is static
 * so that bundled functions (database bootstrap) carry it without reading files.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_application_role': applicationRole,
  '0002_patients_payments_audit': patientsPaymentsAudit,
  '0003_payment_processor_role': paymentProcessorRole,
  '0004_maintenance_roles': maintenanceRoles,
};
