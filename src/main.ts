// The `carnet` command line: one entry, subcommands in src/cli/.
import { ConfigError } from './config/env.js';
import { isCarnetError } from './domain/errors.js';
import { StoreDirError, StoreInUseError } from './store/dir-lock.js';
import { MigrationError } from './store/migrations.js';
import { commands } from './cli/commands.js';
import { loggableError, loggableSummary } from './util/loggable-error.js';

const FILE_PROBLEMS = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT']);

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(22)} ${c.summary}`);
  return ['usage: carnet <command> [options]', '', 'commands:', ...lines, '', '`carnet <command> --help` shows a command\'s options.'].join('\n');
}

export async function main(argv: string[]): Promise<void> {
  const [name = 'serve', ...rest] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return;
  }
  const command = commands[name];
  if (!command) {
    console.error(`carnet: unknown command "${name}"\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  try {
    if (rest[0] === 'help' || rest.includes('--help') || rest.includes('-h')) {
      const usage = command.usage ?? (await command.load()).usage;
      if (usage) {
        console.log(usage);
        return;
      }
    }
    const code = await (await command.load()).run(rest);
    if (code !== undefined) process.exitCode = code;
  } catch (e) {
    // Configuration and schema problems are the user's to fix: one clear line, no stack.
    if (e instanceof ConfigError || e instanceof MigrationError || e instanceof StoreInUseError || e instanceof StoreDirError) {
      console.error(`carnet: ${e.message}`);
      process.exitCode = 2;
      return;
    }
    // A request the rules refuse (a bad file, an unknown structure): its reason, on one line.
    if (isCarnetError(e)) {
      console.error(`carnet: ${e.message}`);
      process.exitCode = 1;
      return;
    }
    // A file the system refuses (a volume owned by another user, a full or read-only disk) is
    // the operator's to fix too.
    const fs = e as NodeJS.ErrnoException;
    if (fs?.path && fs.syscall && FILE_PROBLEMS.has(fs.code ?? '')) {
      const user = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
      console.error(`carnet: cannot ${fs.syscall} ${fs.path}: ${fs.code}${user}; check CARNET_DATA_DIR and the owner of that directory`);
      process.exitCode = 2;
      return;
    }
    // Anything else is a fault: said as the server's log says it (util/loggable-error.ts), never
    // printed whole: a database's error holds the values of the row it refused.
    console.error(unexpectedErrorText(e));
    process.exitCode = 1;
  }
}

/** A fault as a command says it on standard error: as the log would (util/loggable-error.ts). */
function unexpectedErrorText(e: unknown): string {
  return `carnet: unexpected error: ${loggableSummary(e)}\n${loggableError(e).stack?.split('\n').slice(1).join('\n') ?? ''}`.trimEnd();
}

/**
 * An error nobody caught (thrown from a timer or an event, a promise's rejection nobody awaited)
 * stops the process, said as main's own faults are. Node's own account would print the error
 * whole, every field of it: a database error's `detail` (the row it refused) included. For the
 * process that runs `carnet` (bin/carnet.js), not for a test's.
 */
export function sayProcessFaults(): void {
  const stop = (e: unknown) => {
    console.error(unexpectedErrorText(e));
    process.exit(1);
  };
  process.on('uncaughtException', stop);
  process.on('unhandledRejection', stop);
}
