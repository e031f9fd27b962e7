// validateProfileId: validate a resource against the StructureDefinition a script's `profile[]`
// names. The definition is taken from a relative file or a contained resource when the script
// provides one; core R4 profiles are known already; anything else falls back to base R4 checks.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import type { RunContext } from './context.js';
import { ensureResourceType, ensureResourceTypesIn } from '../../fhir/definitions.js';
import { parseFhirText } from './loader.js';

const CORE = 'http://hl7.org/fhir/StructureDefinition/';

export interface ProfileCheck {
  errors: string[];
  note?: string;
}

async function localDefinition(ctx: RunContext, ref: string): Promise<StructureDefinition | undefined> {
  if (ref.startsWith('#')) {
    return ctx.script.contained?.find((r) => r.id === ref.slice(1) && r.resourceType === 'StructureDefinition') as StructureDefinition | undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) return undefined;
  const text = await readFile(resolve(ctx.dir, ref), 'utf8');
  const sd = parseFhirText(text, ref) as StructureDefinition;
  if (sd?.resourceType !== 'StructureDefinition') throw new Error(`${ref} is not a StructureDefinition`);
  return sd;
}

function errorsOf(issues: OperationOutcomeIssue[]): string[] {
  return issues
    .filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .map((i) => `${i.details?.text ?? i.diagnostics ?? i.code}${i.expression?.length ? ` (${i.expression.join(', ')})` : ''}`);
}

function run(resource: Resource, profile?: StructureDefinition): string[] {
  try {
    return errorsOf(validateResource(resource, profile ? { profile } : undefined));
  } catch (err) {
    if (err instanceof OperationOutcomeError) return errorsOf(err.outcome.issue ?? []);
    return [err instanceof Error ? err.message : String(err)];
  }
}

export async function checkProfile(ctx: RunContext, profileId: string, resource: Resource): Promise<ProfileCheck> {
  ensureResourceTypesIn(resource);
  const ref = ctx.script.profile?.find((p) => p.id === profileId)?.reference;
  if (!ref) throw new Error(`validateProfileId: no profile with id "${profileId}" in the script`);
  if (ref.startsWith(CORE)) {
    const type = ref.slice(CORE.length);
    if (ensureResourceType(type) && resource.resourceType !== type) {
      return { errors: [`expected a ${type}, found ${resource.resourceType}`] };
    }
    return { errors: run(resource) };
  }
  const sd = await localDefinition(ctx, ref);
  if (sd?.snapshot?.element?.length) {
    if (sd.type && resource.resourceType !== sd.type) return { errors: [`profile ${sd.url ?? ref} is for ${sd.type}, found ${resource.resourceType}`] };
    return { errors: run(resource, sd) };
  }
  const why = sd ? 'it has no snapshot' : 'it is not available locally';
  return { errors: run(resource), note: `profile ${ref} not applied (${why}); validated against base R4 only` };
}
