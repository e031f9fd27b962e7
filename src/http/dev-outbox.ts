// GET /dev/outbox, in development mode only: the last messages of the outbox (one-time codes,
// alerts) for a developer running without a mail server or an SMS gateway. While the server
// runs it holds the embedded store, so this is where those messages can be read.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services/index.js';

export function registerDevOutbox(app: FastifyInstance, services: Services): void {
  app.get('/dev/outbox', async (req, reply) => {
    // one-time codes and the texts of alerts: kept by no cache, as every /auth answer (AUTH-06)
    reply.header('cache-control', 'no-store');
    const to = (req.query as { to?: string }).to;
    const rows = await services.outbox.list(to ? { recipient: to } : {});
    return {
      messages: rows.slice(-20).map((r) => ({
        at: r.created_at.toISOString(),
        channel: r.channel,
        to: r.recipient,
        kind: r.kind,
        subject: r.subject,
        body: r.body,
        sent: r.sent_at !== null,
      })),
    };
  });
}
