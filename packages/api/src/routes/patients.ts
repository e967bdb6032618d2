import { DuplicateMedicalRecordNumberError, type AuditTrail, type PatientRepository } from '@citadel/db';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { isCalendarDate, isPlausibleDateOfBirth } from '../domain/dates.js';
import { decodeCursor, encodeCursor } from '../domain/page-cursor.js';
import { ApiError } from '../errors.js';
import { auditContext } from './audit-context.js';
import { auditRefusals } from './refusal-audit.js';
import { errorResponses, IdParams } from './schemas.js';

const PatientInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    dateOfBirth: Type.String({ format: 'date', maxLength: 10, description: 'YYYY-MM-DD' }),
    medicalRecordNumber: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9-]*$' }),
  },
  { additionalProperties: false },
);

const Patient = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    dateOfBirth: Type.String({ format: 'date' }),
    medicalRecordNumber: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Patient' },
);

const ListQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,3}$', description: 'Page size, 1 to 100 (default 20)' }),
    ),
  },
  { additionalProperties: false },
);

export async function patientRoutes(
  app: FastifyInstance,
  options: { patients: PatientRepository; audit: AuditTrail },
): Promise<void> {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const { patients } = options;
  auditRefusals(app, options.audit);

  routes.post(
    '/',
    {
      config: { requiredScope: 'patients:write', audit: { action: 'create', resourceType: 'patient' } },
      schema: {
        tags: ['patients'],
        summary: 'Register a patient',
        security: [{ bearer: ['patients:write'] }],
        body: PatientInput,
        response: {
          201: Type.Ref('Patient'),
          ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429, 503),
        },
      },
    },
    async (request, reply) => {
      if (!isCalendarDate(request.body.dateOfBirth)) {
        throw new ApiError(
          400,
          'validation_failed',
          'body.dateOfBirth must be a real calendar date, YYYY-MM-DD, in the years 0001 to 9999',
        );
      }
      if (!isPlausibleDateOfBirth(request.body.dateOfBirth)) {
        throw new ApiError(
          422,
          'invalid_date_of_birth',
          'dateOfBirth must be a real date between 1900-01-01 and today',
        );
      }
      try {
        const patient = await patients.create(request.body, auditContext(request));
        return reply.code(201).header('location', `/v1/patients/${patient.id}`).send(patient);
      } catch (error) {
        if (error instanceof DuplicateMedicalRecordNumberError) {
          throw new ApiError(
            409,
            'duplicate_medical_record_number',
            'a patient with this medical record number exists',
          );
        }
        throw error;
      }
    },
  );

  routes.get(
    '/:id',
    {
      config: { requiredScope: 'patients:read', audit: { action: 'read', resourceType: 'patient' } },
      schema: {
        tags: ['patients'],
        summary: 'Read a patient',
        security: [{ bearer: ['patients:read'] }],
        params: IdParams,
        response: { 200: Type.Ref('Patient'), ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const patient = await patients.findById(request.params.id, auditContext(request));
      if (!patient) throw new ApiError(404, 'patient_not_found', 'no patient has this id');
      return patient;
    },
  );

  routes.get(
    '/',
    {
      config: { requiredScope: 'patients:read', audit: { action: 'list', resourceType: 'patient' } },
      schema: {
        tags: ['patients'],
        summary: 'List patients, oldest first, one page at a time',
        security: [{ bearer: ['patients:read'] }],
        querystring: ListQuery,
        response: {
          200: Type.Object({
            data: Type.Array(Type.Ref('Patient')),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(400, 401, 403, 429, 503),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit === undefined ? 20 : Number(request.query.limit);
      if (limit < 1 || limit > 100)
        throw new ApiError(400, 'validation_failed', 'limit must be between 1 and 100');
      const after = request.query.cursor === undefined ? null : decodeCursor(request.query.cursor);
      if (request.query.cursor !== undefined && after === null) {
        throw new ApiError(400, 'invalid_cursor', 'cursor is not one this API returned');
      }
      const page = await patients.list({ limit, after }, auditContext(request));
      return { data: page.patients, nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  );
}

export const patientSchemas = [Patient];
