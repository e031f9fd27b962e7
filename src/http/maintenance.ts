// GET /maintenance: the announced and current maintenance windows (DMP-06), readable by every
// client without a token, so that software can warn its users before a function stops.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services/index.js';

export function registerMaintenance(app: FastifyInstance, services: Services): void {
  app.get('/maintenance', async () => {
    const windows = await services.maintenance.announced();
    return {
      windows: windows.map((w) => ({
        function: w.function,
        startsAt: w.starts_at.toISOString(),
        endsAt: w.ends_at.toISOString(),
        message: w.message,
      })),
    };
  });
}
