// The subcommands of `carnet`. Each module is loaded only when its command runs, so that a small
// command (`carnet token`) does not load the whole server.

export interface Command {
  run(args: string[]): Promise<number | void>;
}

export interface CommandEntry {
  summary: string;
  load(): Promise<Command>;
}

export const commands: Record<string, CommandEntry> = {
  serve: { summary: 'serve the FHIR and XDS doors (default)', load: async () => (await import('./serve.js')).serveCommand },
  migrate: { summary: 'apply pending database migrations', load: async () => (await import('./migrate.js')).migrateCommand },
  seed: { summary: 'load demo data: a DMP with documents, professionals of several professions', load: async () => (await import('./seed.js')).seedCommand },
  token: { summary: 'issue a development bearer token (CARNET_DEV_MODE=true only)', load: async () => (await import('./token.js')).tokenCommand },
  trace: { summary: 'trace verify: check the hash chains of the access trace', load: async () => (await import('./trace.js')).traceCommand },
  maintenance: { summary: 'announce or list maintenance windows', load: async () => (await import('./maintenance.js')).maintenanceCommand },
  outbox: { summary: 'show the outbox: codes and alerts when no SMTP/SMS is set (CARNET_DEV_MODE=true only)', load: async () => (await import('./outbox.js')).outboxCommand },
  conformance: {
    summary: 'run conformance suites: `conformance xds [tests-dir] [--base URL]`, `conformance testscript <dir|file> --base URL`',
    load: async () => (await import('./conformance.js')).conformanceCommand,
  },
  jobs: { summary: 'run the scheduled jobs once (jobs run): outbox, majority notices, purge, pruning', load: async () => (await import('./jobs.js')).jobsCommand },
};
