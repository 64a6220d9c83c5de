// Operator command for a consumer's dead-letter queue:
//   npm run dead-letters -w @shopstack/kit -- count  <queue>
//   npm run dead-letters -w @shopstack/kit -- replay <queue> [limit]
// AMQP_URL names the broker. <queue> is the consumer's queue (its dead letters are in <queue>.dead).
import { countDeadLetters, replayDeadLetters } from '../messaging/dead-letters.js';

const [command, queue, limit] = process.argv.slice(2);
const amqpUrl = process.env.AMQP_URL;
if (!amqpUrl || !queue || (command !== 'count' && command !== 'replay')) {
  process.stderr.write('usage: AMQP_URL=amqp://... dead-letters count|replay <queue> [limit]\n');
  process.exit(2);
}
if (command === 'count') {
  const { deadLetters } = await countDeadLetters(amqpUrl, queue);
  process.stdout.write(`${queue}.dead: ${deadLetters} message(s)\n`);
} else {
  const moved = await replayDeadLetters(amqpUrl, queue, limit ? { limit: Number(limit) } : {});
  process.stdout.write(`${moved} message(s) moved from ${queue}.dead back to ${queue}\n`);
}
