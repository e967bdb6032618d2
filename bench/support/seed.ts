import { randomUUID } from 'node:crypto';

export const ALL_SCOPES = ['patients:read', 'patients:write', 'payments:read', 'payments:write'] as const;

/** The payment body the load sends: 10.00 EUR, which the simulated gateway settles. */
export function paymentBody(patientId: string): string {
  return JSON.stringify({ patientId, amount: 1000, currency: 'EUR', description: 'consultation' });
}

export interface Seeded {
  readonly patientId: string;
  readonly paymentId: string;
}

/** Registers one patient and one payment through the API, as a client would. */
export async function seedThroughApi(url: string, token: string): Promise<Seeded> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const patient = await expectJson(
    await fetch(`${url}/v1/patients`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'Load Test Patient',
        dateOfBirth: '1980-02-29',
        medicalRecordNumber: `MRN-${randomUUID().slice(0, 8)}`,
      }),
    }),
    201,
  );
  const payment = await expectJson(
    await fetch(`${url}/v1/payments`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': randomUUID() },
      body: paymentBody(patient.id),
    }),
    201,
  );
  return { patientId: patient.id, paymentId: payment.id };
}

async function expectJson(response: Response, status: number): Promise<{ id: string }> {
  const body = (await response.json()) as { id: string };
  if (response.status !== status) {
    throw new Error(`seeding failed: expected ${status}, got ${response.status} ${JSON.stringify(body)}`);
  }
  return body;
}
