// The FHIR door: every route under /fhir. It translates FHIR onto the services and back, and
// records what it registers so that /fhir/metadata describes exactly this door.
import type { FastifyInstance } from 'fastify';
import { FhirCapabilities } from './capabilities.js';
import type { Config } from '../config/config.js';
import type { Services } from '../services/index.js';
import { SOFTWARE } from '../version.js';

export interface FhirDoorDeps {
  config: Config;
  services: Services;
}

export async function registerFhirDoor(app: FastifyInstance, deps: FhirDoorDeps): Promise<FhirCapabilities> {
  const caps = new FhirCapabilities();
  await app.register(
    async (fhir) => {
      fhir.get('/metadata', async (_req, reply) => {
        reply.type('application/fhir+json');
        return caps.build({
          publicUrl: deps.config.publicUrl,
          software: SOFTWARE,
          formats: ['application/fhir+json'],
        });
      });
    },
    { prefix: '/fhir' },
  );
  return caps;
}
