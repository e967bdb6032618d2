export { InvalidPaymentMessageError } from './errors.js';
export { formatPaymentMessage, parsePaymentMessage, type PaymentMessage } from './message.js';
export { simulatedGateway, type GatewayCharge, type GatewayResult, type PaymentGateway } from './gateway.js';
export { processPayment, type ProcessPaymentResult } from './process-payment.js';
