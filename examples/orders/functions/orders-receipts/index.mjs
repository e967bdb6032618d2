// Built output of the orders team's receipts handler (their build writes this file; Citadel
// deploys the directory as it is). It takes a batch of order messages from its queue and
// reports the ones it could not handle, so only those are delivered again.

/** @param {{ Records: { messageId: string, body: string }[] }} event */
export async function handler(event) {
  const batchItemFailures = [];
  for (const record of event.Records ?? []) {
    try {
      const order = JSON.parse(record.body);
      if (typeof order.orderId !== 'string' || order.orderId.length === 0) throw new Error('no orderId');
      console.log(JSON.stringify({ event: 'receipt_prepared', orderId: order.orderId }));
    } catch {
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
