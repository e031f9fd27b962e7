// The subcommands of `carnet`. Each returns an exit code (or nothing for success).
import { conformanceCommand } from './conformance.js';
import { jobsCommand } from './jobs.js';
import { maintenanceCommand } from './maintenance.js';
import { migrateCommand } from './migrate.js';
import { outboxCommand } from './outbox.js';
import { seedCommand } from './seed.js';
import { serveCommand } from './serve.js';
import { tokenCommand } from './token.js';
import { traceCommand } from './trace.js';

export interface Command {
  summary: string;
  run(args: string[]): Promise<number | void>;
}

export const commands: Record<string, Command> = {
  serve: serveCommand,
  migrate: migrateCommand,
  seed: seedCommand,
  token: tokenCommand,
  trace: traceCommand,
  maintenance: maintenanceCommand,
  outbox: outboxCommand,
  conformance: conformanceCommand,
  jobs: jobsCommand,
};
