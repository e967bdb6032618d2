import type { AuditOutcome, AuditTrail } from '@citadel/db';
import type { AuditContext } from '@citadel/db';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { API_LOG_EVENTS } from '../contract.js';
import { ApiError, ForbiddenError } from '../errors.js';
import { auditContext } from './audit-context.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What a route does, as recorded in the audit trail when a request to it is refused. */
    audit?: { readonly action: 'create' | 'read' | 'list'; readonly resourceType: 'patient' | 'payment' };
  }
}

/** Log event when a refusal could not be written to the audit trail. */
export const AUDIT_WRITE_FAILED_EVENT = API_LOG_EVENTS.auditWriteFailed;

/**
 * Appends an audit row for each request refused before it reached a repository: a token
 * without the route's scope (`forbidden`) and a request holding a card number
 * (`card_data_refused`). The row names the route's action and resource type, who and
 * the request id; no value from the request (path, query, headers, body) is recorded.
 */
export function auditRefusals(app: FastifyInstance, trail: AuditTrail): void {
  app.addHook('onError', async (request, _reply, error) => {
    const route = request.routeOptions.config.audit;
    const outcome = refusalOutcome(error);
    if (!route || !outcome) return;
    try {
      await trail.record({ ...route, resourceId: null, outcome }, refusalAuditContext(request));
    } catch (auditError) {
      // The refusal stands; the missing row is raised to operators rather than to the client.
      request.log.error(
        { event: AUDIT_WRITE_FAILED_EVENT, outcome, code: (auditError as { code?: unknown }).code ?? null },
        'refusal not written to the audit trail',
      );
    }
  });
}

/** Recorded as the subject of a refusal that happened before the request's token was checked. */
export const UNAUTHENTICATED_SUBJECT = 'unauthenticated';

/**
 * The audit context of a refused request, which may have been refused before its token
 * was checked. The request id and address follow `auditContext`'s rules either way.
 */
function refusalAuditContext(request: FastifyRequest): AuditContext {
  if (request.principal) return auditContext(request);
  const anonymous: FastifyRequest = Object.create(request, {
    principal: { value: { subject: UNAUTHENTICATED_SUBJECT, scopes: new Set<string>() } },
  });
  return auditContext(anonymous);
}

function refusalOutcome(error: FastifyError | Error): AuditOutcome | null {
  if (error instanceof ForbiddenError) return 'forbidden';
  if (error instanceof ApiError && error.code === 'card_data_not_accepted') return 'card_data_refused';
  return null;
}
