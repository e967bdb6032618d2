import { Type } from 'typebox';

export const Uuid = Type.String({ format: 'uuid', maxLength: 36, description: 'UUID' });

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code' }),
      message: Type.String(),
      requestId: Type.String(),
    }),
  },
  { $id: 'ErrorResponse', description: 'Every error has this shape' },
);

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, Type.Ref('ErrorResponse')]));

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
