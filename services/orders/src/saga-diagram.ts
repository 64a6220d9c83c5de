// Prints the checkout saga's state diagram (Mermaid), generated from its declaration; the README
// shows this text and a unit test keeps the two equal.
import { checkoutSaga } from './app/checkout-saga.js';
import { mermaidDiagram } from './app/saga-definition.js';

const saga = checkoutSaga({
  payments: undefined as never,
  stockRoute: { exchange: '', replyTo: '' },
  eventsExchange: '',
});
console.log(mermaidDiagram(saga));
