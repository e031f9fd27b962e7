// GET /health: whether the server and its database answer, for load balancers and operators.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../store/db.js';

export function registerHealth(app: FastifyInstance, db: Db): void {
  app.get('/health', async (_req, reply) => {
    const started = Date.now();
    try {
      await db.query('SELECT 1');
      return reply.send({ status: 'ok', database: { kind: db.kind, status: 'up', ms: Date.now() - started } });
    } catch {
      return reply.code(503).header('retry-after', '5').send({ status: 'unavailable', database: { kind: db.kind, status: 'down' } });
    }
  });
}
