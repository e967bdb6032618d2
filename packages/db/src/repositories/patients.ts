import type pg from 'pg';
import type { AuditContext } from './audit.js';
import { AUDIT_COLUMNS, auditedFindStatement, findByIdAudited } from './audit.js';
import { isUniqueViolation } from '../database-errors.js';

export interface NewPatient {
  readonly name: string;
  /** ISO date, YYYY-MM-DD. */
  readonly dateOfBirth: string;
  readonly medicalRecordNumber: string;
}

export interface Patient extends NewPatient {
  readonly id: string;
  readonly createdAt: string;
}

export interface PatientPage {
  readonly patients: Patient[];
  /** Position after the last patient of this page; absent on the last page. */
  readonly next: PagePosition | null;
}

export interface PagePosition {
  readonly createdAt: string;
  readonly id: string;
}

export class DuplicateMedicalRecordNumberError extends Error {
  override readonly name = 'DuplicateMedicalRecordNumberError';
}

const PATIENT_FIELDS = `id, name, to_char(date_of_birth, 'YYYY-MM-DD') AS "dateOfBirth",
  medical_record_number AS "medicalRecordNumber",
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdAt"`;
const FIND_PATIENT_AUDITED = auditedFindStatement('patients', PATIENT_FIELDS);

/**
 * Patient records (protected health information). Every statement that reads or writes a
 * patient appends its audit row in the same statement, so the access and its record commit together.
 */
export class PatientRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(patient: NewPatient, audit: AuditContext): Promise<Patient> {
    try {
      const { rows } = await this.pool.query<Patient>(
        `WITH created AS (
           INSERT INTO patients (name, date_of_birth, medical_record_number, created_by)
           VALUES ($1, $2, $3, $4)
           RETURNING *
         ), audited AS (
           INSERT INTO audit_events ${AUDIT_COLUMNS}
           SELECT $4, 'create', 'patient', id::text, $5, $6, 'success' FROM created
         )
         SELECT ${PATIENT_FIELDS} FROM created`,
        [
          patient.name,
          patient.dateOfBirth,
          patient.medicalRecordNumber,
          audit.subject,
          audit.requestId,
          audit.sourceIp,
        ],
      );
      return rows[0] as Patient;
    } catch (error) {
      if (!isUniqueViolation(error, 'patients_medical_record_number_key')) throw error;
      await this.pool.query(
        `INSERT INTO audit_events ${AUDIT_COLUMNS} VALUES ($1, 'create', 'patient', NULL, $2, $3, 'conflict')`,
        [audit.subject, audit.requestId, audit.sourceIp],
      );
      throw new DuplicateMedicalRecordNumberError('a patient with this medical record number exists', {
        cause: error,
      });
    }
  }

  findById(id: string, audit: AuditContext): Promise<Patient | null> {
    return findByIdAudited<Patient>(
      this.pool,
      { statement: FIND_PATIENT_AUDITED, resourceType: 'patient' },
      id,
      audit,
    );
  }

  /**
   * Keyset pagination in creation order. One audit row per patient returned (not for the
   * one read ahead to know whether a next page exists); an empty page still leaves one row.
   */
  async list(
    options: { limit: number; after: PagePosition | null },
    audit: AuditContext,
  ): Promise<PatientPage> {
    const { rows } = await this.pool.query<Patient>(
      `WITH page AS (
         SELECT * FROM patients
         WHERE $1::timestamptz IS NULL OR (created_at, id) > ($1::timestamptz, $2::uuid)
         ORDER BY created_at, id
         LIMIT $3
       ), audited AS (
         INSERT INTO audit_events ${AUDIT_COLUMNS}
         SELECT $4, 'list', 'patient', shown.id::text, $5, $6, 'success'
         FROM (SELECT id FROM page ORDER BY created_at, id LIMIT $7) AS shown
         UNION ALL
         SELECT $4, 'list', 'patient', NULL, $5, $6, 'success' WHERE NOT EXISTS (SELECT 1 FROM page)
       )
       SELECT ${PATIENT_FIELDS} FROM page ORDER BY created_at, id`,
      [
        options.after?.createdAt ?? null,
        options.after?.id ?? null,
        options.limit + 1,
        audit.subject,
        audit.requestId,
        audit.sourceIp,
        options.limit,
      ],
    );
    const hasMore = rows.length > options.limit;
    const patients = hasMore ? rows.slice(0, options.limit) : rows;
    const last = patients.at(-1);
    return { patients, next: hasMore && last ? { createdAt: last.createdAt, id: last.id } : null };
  }
}
