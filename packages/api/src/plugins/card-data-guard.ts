import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { valueContainsPrimaryAccountNumber } from '../domain/card-data.js';
import { ApiError } from '../errors.js';

/**
 * Rejects, before validation and before any handler, a request whose body or query holds
 * a primary account number. The value is never logged: the event names only the route.
 */
export const cardDataGuard = fp(
  async (app: FastifyInstance) => {
    app.addHook('preValidation', async (request) => {
      if (
        valueContainsPrimaryAccountNumber(request.body) ||
        valueContainsPrimaryAccountNumber(request.query)
      ) {
        request.log.warn(
          { event: 'card_data_rejected', route: request.routeOptions.url },
          'card data rejected',
        );
        throw new ApiError(
          422,
          'card_data_not_accepted',
          'card numbers are not accepted by this service; use your payment provider for card data',
        );
      }
    });
  },
  { name: 'card-data-guard' },
);
