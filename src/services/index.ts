// All use cases, built once from their dependencies. The doors receive this object and nothing
// of the store.
import { accessRefusalService } from './access-refusals.js';
import { consentService } from './consent.js';
import { contactsService } from './contacts.js';
import { copyRequestService } from './copy-requests.js';
import type { ServiceDeps } from './deps.js';
import { directoryService } from './directory.js';
import { documentService } from './documents.js';
import { exportService } from './export.js';
import { historyService } from './history.js';
import { historyViewService } from './history-view.js';
import { homeService } from './home.js';
import { listService } from './lists.js';
import { maintenanceService } from './maintenance.js';
import { metadataUpdateService } from './metadata-updates.js';
import type { OutboxService } from './outbox.js';
import { patientAccessServices, type PatientAccessOptions } from './patient-access.js';
import { recordService } from './records.js';
import { sessionService } from './sessions.js';
import { registryQueryService } from './registry-queries.js';
import { representativeService, type Notify } from './representatives.js';
import { selectionService } from './selections.js';
import { selfCreationService } from './self-creation.js';
import { submitService } from './submit.js';

export interface ServiceOptions {
  notify?: Notify;
  /** accounts, login codes, support, outbox senders (patient-access.ts; defaults suit tests) */
  access?: PatientAccessOptions;
  /** PAT-07: where copy requests are mailed (absent: they wait in the table) */
  supportEmail?: string;
  /** ACC-05: structures configured as medical regulation centres */
  regulationCentres?: readonly string[];
}

export function createServices(base: ServiceDeps, options: ServiceOptions = {}) {
  // Every use case consults the maintenance windows (DMP-06) before it starts.
  const maintenance = maintenanceService(base);
  const deps: ServiceDeps = { ...base, availability: maintenance };
  const access = patientAccessServices(deps, options.access);
  const records = recordService(deps, access.accounts.issueIn);
  return {
    deps,
    records,
    // DMP-02: creation codes issued by support, and the patient's online creation with one
    selfCreation: selfCreationService(deps, access.login, access.outbox, records, { codeTtlDays: options.access?.creationCodeTtlDays }),
    submissions: promptAlerts(submitService(deps), access.outbox),
    documents: documentService(deps),
    lists: listService(deps),
    metadata: metadataUpdateService(deps),
    consent: consentService(deps),
    representatives: representativeService(deps, options.notify ?? access.outbox.notifyRepresentative, access.accounts.issueIn),
    maintenance,
    history: historyService(deps),
    directory: directoryService(deps, { regulationCentres: options.regulationCentres }),
    registryQueries: registryQueryService(deps),
    accessRefusals: accessRefusalService(deps),
    // patient-side sessions ended before their time (POST /auth/logout)
    sessions: sessionService(deps),
    selections: selectionService(deps),
    // the patient's own pages (PAT-01/02/05/06/07, TRACE-03)
    home: homeService(deps),
    historyView: historyViewService(deps),
    contacts: contactsService(deps),
    exports: exportService(deps),
    copyRequests: copyRequestService(deps, { outbox: access.outbox, supportEmail: options.supportEmail }),
    ...access,
  };
}

/**
 * PAT-03: a committed submission may have written an alert in the outbox; a sender round is
 * asked for at once instead of waiting for the next jobs period. The row stays the source of
 * truth: if this round fails or the process dies, the jobs round sends it later.
 */
function promptAlerts(submissions: ReturnType<typeof submitService>, outbox: OutboxService): ReturnType<typeof submitService> {
  return {
    ...submissions,
    async submit(...args) {
      const result = await submissions.submit(...args);
      outbox.kick();
      return result;
    },
  };
}

export type Services = ReturnType<typeof createServices>;
export type { Caller, Clock, ServiceDeps } from './deps.js';
