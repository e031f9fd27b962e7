// How an actor is written into the trace (TRACE-01: identity and profession, or patient /
// legal representative / support).
import type { Actor } from '../domain/actor.js';
import { actorId } from '../domain/actor.js';
import type { TraceActor } from '../store/trace-repo.js';

export function traceActor(actor: Actor): TraceActor {
  if (actor.kind === 'professional') {
    return {
      kind: 'professional',
      id: actor.idNatPs,
      name: [actor.given, actor.family].filter(Boolean).join(' ') || null,
      profession: actor.profession,
      specialty: actor.specialty ?? null,
      structure: actor.structureId ?? null,
    };
  }
  return { kind: actor.kind, id: actorId(actor) };
}

export function accessModeOf(actor: Actor): string | null {
  return actor.kind === 'professional' ? actor.mode : null;
}
