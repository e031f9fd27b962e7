// The subcommands of `carnet`. Each module is loaded only when its command runs, so that a small
// command (`carnet token`) does not load the whole server.

import { USAGE } from './usage.js';

export interface Command {
  run(args: string[]): Promise<number | void>;
  /** what --help prints, when the command does not answer --help itself */
  usage?: string;
}

export interface CommandEntry {
  summary: string;
  /** what --help prints, known without loading the command */
  usage?: string;
  load(): Promise<Command>;
}

export const commands: Record<string, CommandEntry> = {
  serve: { usage: USAGE.serve, summary: 'serve the FHIR and XDS doors (default)', load: async () => (await import('./serve.js')).serveCommand },
  migrate: { usage: USAGE.migrate, summary: 'apply pending database migrations', load: async () => (await import('./migrate.js')).migrateCommand },
  seed: { usage: USAGE.seed, summary: 'load demo data: a DMP with documents, professionals of several professions', load: async () => (await import('./seed.js')).seedCommand },
  token: { usage: USAGE.token, summary: 'issue a development bearer token (CARNET_DEV_MODE=true only)', load: async () => (await import('./token.js')).tokenCommand },
  vihf: {
    usage: USAGE.vihf,
    summary: 'issue a development VIHF assertion for the XDS door (CARNET_DEV_MODE=true only)',
    load: async () => (await import('./vihf.js')).vihfCommand,
  },
  trace: { usage: USAGE.trace, summary: 'trace verify: check the hash chains of the access trace and of the security log', load: async () => (await import('./trace.js')).traceCommand },
  directory: {
    summary: 'directory load <file>: feed the directory from the national extraction; regulation-centre <IdNat_Struct>: mark a SAMU – Centre 15',
    load: async () => (await import('./directory.js')).directoryCommand,
  },
  maintenance: { summary: 'announce or list maintenance windows', load: async () => (await import('./maintenance.js')).maintenanceCommand },
  outbox: { usage: USAGE.outbox, summary: 'show the outbox: codes and alerts when no SMTP/SMS is set (CARNET_DEV_MODE=true only)', load: async () => (await import('./outbox.js')).outboxCommand },
  conformance: {
    summary: 'run conformance suites: `conformance xds [tests-dir] [--base URL]`, `conformance testscript <dir|file> --base URL`',
    load: async () => (await import('./conformance.js')).conformanceCommand,
  },
  jobs: { usage: USAGE.jobs, summary: 'run the scheduled jobs once (jobs run): outbox, majority notices, purge, pruning', load: async () => (await import('./jobs.js')).jobsCommand },
};
