// @shopstack/proto/messages: the contracts of every message that crosses services over RabbitMQ.
export { defineMessage, type MessageContract, type PayloadOf } from './contract.js';
export {
  CANCEL_REASONS,
  type OrderCancelled,
  type OrderCompleted,
  type OrderPaymentFailed,
  type OrderRefunded,
  orderCancelled,
  orderCompleted,
  orderPaymentFailed,
  orderRefunded,
} from './orders.js';
export {
  type PaymentCashbackPaid,
  type PaymentChargebackClosed,
  type PaymentChargebackOpened,
  type PaymentHoldClosed,
  type PaymentHoldPlaced,
  type PaymentRefunded,
  type PaymentTopUpCompleted,
  type PaymentTransferReceived,
  type PaymentWithdrawalCompleted,
  paymentCashbackPaid,
  paymentChargebackClosed,
  paymentChargebackOpened,
  paymentHoldClosed,
  paymentHoldPlaced,
  paymentRefunded,
  paymentTopUpCompleted,
  paymentTransferReceived,
  paymentWithdrawalCompleted,
} from './payments.js';
export { type RepairRecorded, repairRecorded } from './repairs.js';
export { type RetentionRequested, retentionRequested } from './retention.js';
export {
  commitStock,
  releaseStock,
  reserveStock,
  STOCK_COMMANDS,
  type StockReply,
  stockReply,
} from './stock.js';
export {
  type SessionRevoked,
  type SessionRevokedReason,
  sessionRevoked,
  type UserBlocked,
  type UserDeleted,
  userBlocked,
  userDeleted,
} from './users.js';
