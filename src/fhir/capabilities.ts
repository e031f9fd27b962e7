// What the FHIR door really implements, recorded as routes are registered; the
// CapabilityStatement is generated from it, so it cannot claim what is not there.
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { addQueryWords } from '../http/logging.js';

const MHD_CAPABILITIES = 'https://profiles.ihe.net/ITI/MHD/CapabilityStatement';

export type TypeInteraction = 'read' | 'vread' | 'update' | 'patch' | 'delete' | 'history-instance' | 'history-type' | 'create' | 'search-type';
export type SystemInteraction = 'transaction' | 'batch' | 'search-system' | 'history-system';

export interface SearchParamDecl {
  name: string;
  type: 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';
  definition?: string;
  documentation?: string;
}

export interface OperationDecl {
  name: string;
  definition: string;
}

interface ResourceCaps {
  interactions: Set<TypeInteraction>;
  searchParams: Map<string, SearchParamDecl>;
  operations: Map<string, OperationDecl>;
  profile?: string;
  supportedProfiles: Set<string>;
}

export interface CapabilityInfo {
  publicUrl: string;
  software: { name: string; version: string };
  formats: string[];
}

/**
 * R4 CapabilityStatement.rest.resource versioning and its neighbours, as the routes make them
 * true. A type read by version (vread) keeps meta.versionId and answers ETag: `versioned`. Not
 * `versioned-update`, which claims every versioning feature: only the current version is kept,
 * so no past version is read (readHistory false) and there is no _history. If-Match is honoured
 * on every change all the same (412), as rest.documentation says. No update creates (an id is
 * the server's), and nothing is conditional but DocumentReference's PATCH by identifier, which
 * R4 has no element for.
 */
function versioningOf(interactions: Set<TypeInteraction>): Partial<CapabilityStatementRestResource> {
  if (!interactions.has('read')) return {};
  return {
    versioning: interactions.has('vread') ? 'versioned' : 'no-version',
    readHistory: false,
    updateCreate: false,
    ...(interactions.has('create') ? { conditionalCreate: false } : {}),
    ...(interactions.has('update') ? { conditionalUpdate: false } : {}),
    ...(interactions.has('delete') ? { conditionalDelete: 'not-supported' as const } : {}),
  };
}

export class FhirCapabilities {
  private readonly resources = new Map<string, ResourceCaps>();
  private readonly system = new Set<SystemInteraction>();
  private readonly systemOperations = new Map<string, OperationDecl>();
  private readonly notes: string[] = [];
  private definitionOf?: (type: string, name: string) => string | undefined;

  private resource(type: string): ResourceCaps {
    let r = this.resources.get(type);
    if (!r) {
      r = { interactions: new Set(), searchParams: new Map(), operations: new Map(), supportedProfiles: new Set() };
      this.resources.set(type, r);
    }
    return r;
  }

  addInteraction(type: string, interaction: TypeInteraction): void {
    this.resource(type).interactions.add(interaction);
  }

  addSearchParams(type: string, params: SearchParamDecl[]): void {
    const r = this.resource(type);
    for (const p of params) r.searchParams.set(p.name, p);
    // the request's log line writes a query's parameter names only when they are the server's
    addQueryWords(params.map((p) => p.name));
  }

  /** The search parameters declared for a type (what its search takes besides the control ones). */
  searchParamNames(type: string): Set<string> {
    return new Set(this.resources.get(type)?.searchParams.keys() ?? []);
  }

  addOperation(type: string | null, op: OperationDecl): void {
    if (type === null) this.systemOperations.set(op.name, op);
    else this.resource(type).operations.set(op.name, op);
  }

  addSystemInteraction(interaction: SystemInteraction): void {
    this.system.add(interaction);
  }

  addProfile(type: string, url: string, base = false): void {
    const r = this.resource(type);
    if (base) r.profile = url;
    else r.supportedProfiles.add(url);
  }

  /** Where this server publishes its own definition of a search parameter (it wins over `definition`). */
  useSearchParamDefinitions(resolve: (type: string, name: string) => string | undefined): void {
    this.definitionOf = resolve;
  }

  addNote(text: string): void {
    this.notes.push(text);
  }

  hasType(type: string): boolean {
    return this.resources.has(type);
  }

  build(info: CapabilityInfo): CapabilityStatement {
    const resource: CapabilityStatementRestResource[] = [...this.resources.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, r]) => ({
        type: type as CapabilityStatementRestResource['type'],
        ...(r.profile ? { profile: r.profile } : {}),
        ...(r.supportedProfiles.size ? { supportedProfile: [...r.supportedProfiles].sort() } : {}),
        interaction: [...r.interactions].sort().map((code) => ({ code })),
        ...versioningOf(r.interactions),
        ...(r.searchParams.size
          ? {
              searchParam: [...r.searchParams.values()]
                .map((p) => {
                  // A parameter that implements a published definition (R4 core, MHD, PDSm) names it;
                  // the server's own definition stands only for those that have none.
                  const own = p.definition ? undefined : this.definitionOf?.(type, p.name);
                  return own ? { ...p, definition: own } : p;
                })
                .sort((a, b) => a.name.localeCompare(b.name)),
            }
          : {}),
        ...(r.operations.size ? { operation: [...r.operations.values()] } : {}),
      }));
    return {
      resourceType: 'CapabilityStatement',
      status: 'active',
      date: new Date().toISOString(),
      kind: 'instance',
      software: info.software,
      implementation: { description: 'Carnet shared medical record server', url: `${info.publicUrl}/fhir` },
      // the MHD actors whose requirements this server meets (ITI-65; ITI-66, ITI-67, ITI-68)
      instantiates: [`${MHD_CAPABILITIES}/IHE.MHD.DocumentRecipient`, `${MHD_CAPABILITIES}/IHE.MHD.DocumentResponder`],
      fhirVersion: '4.0.1',
      format: info.formats,
      patchFormat: ['application/json-patch+json'],
      rest: [
        {
          mode: 'server',
          ...(this.notes.length ? { documentation: this.notes.join('\n') } : {}),
          security: {
            service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' }] }],
            description:
              'Every request but /metadata and the conformance resources carries Authorization: Bearer <JWT> (signed, for this audience); ' +
              'without it the answer is 401 with WWW-Authenticate. HEAD is answered wherever GET is.',
          },
          resource,
          ...(this.system.size ? { interaction: [...this.system].sort().map((code) => ({ code })) } : {}),
          ...(this.systemOperations.size ? { operation: [...this.systemOperations.values()] } : {}),
        },
      ],
    };
  }
}
