import type { AuditContext } from '@citadel/db';
import type { FastifyRequest } from 'fastify';

export function auditContext(request: FastifyRequest): AuditContext {
  if (!request.principal) throw new Error('audit context needs an authenticated principal');
  return { subject: request.principal.subject, requestId: request.id, sourceIp: request.ip };
}
