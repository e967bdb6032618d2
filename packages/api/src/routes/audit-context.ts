import { isIP } from 'node:net';
import type { AuditContext } from '@citadel/db';
import type { FastifyRequest } from 'fastify';

/**
 * Who is acting, for the audit row: the verified subject, the server-generated request id
 * (never a client's X-Request-Id) and the client address only when it is an IP address.
 */
export function auditContext(request: FastifyRequest): AuditContext {
  if (!request.principal) throw new Error('audit context needs an authenticated principal');
  return {
    subject: request.principal.subject,
    requestId: request.id,
    sourceIp: isIP(request.ip) !== 0 ? request.ip : null,
  };
}
