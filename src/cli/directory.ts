// `carnet directory`: operators feed the directory of professionals from the national
// directory's extraction file, and mark the medical regulation centres (ACC-05).
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createCore } from '../core.js';
import { loadConfig } from '../config/config.js';
import { ConfigError } from '../config/env.js';
import type { DirectoryLoadReport } from '../services/directory-feed.js';
import type { Caller } from '../services/deps.js';
import { optionString, parseArgs } from './args.js';
import type { Command } from './commands.js';

export const DIRECTORY_USAGE = `usage:
  carnet directory load <file> [--dry-run] [--json] [--encoding utf8|latin1]
      Loads an extraction of the national directory (fields separated by '|', a header line
      naming the columns). Adds, updates, and retires (makes inactive) what an earlier load brought
      and the file no longer lists; prints what changed and every refused line with its number.
      --dry-run says what would change and writes nothing; --json prints the report as JSON.
  carnet directory regulation-centre <IdNat_Struct> [--off]
      Marks a structure of the directory as a medical regulation centre (SAMU – Centre 15), or
      unmarks it with --off.
  carnet directory regulation-centres
      Lists the structures marked as regulation centres.`;

const operator: Caller = { actor: { kind: 'system', component: 'carnet-cli' }, channel: 'cli' };

function printReport(r: DirectoryLoadReport): void {
  const tally = (t: DirectoryLoadReport['professionals']) => `${t.added} added, ${t.updated} updated, ${t.unchanged} unchanged, ${t.retired} retired`;
  console.log(`${r.dryRun ? 'dry run, nothing written: ' : ''}${r.lines} lines read, ${r.accepted} accepted, ${r.rejected.length} refused`);
  console.log(`professionals: ${tally(r.professionals)}`);
  console.log(`structures: ${tally(r.structures)}`);
  for (const x of r.rejected) console.log(`refused line ${x.line}: ${x.reason}`);
}

function linesOf(file: string, encoding: string): AsyncIterable<string> {
  if (!existsSync(file)) throw new ConfigError(`${file}: no such file`);
  if (encoding !== 'utf8' && encoding !== 'latin1') throw new ConfigError('--encoding: expected utf8 or latin1');
  // Opened only when read: a stream opened before the store is ready would end unread.
  return {
    [Symbol.asyncIterator]: () => createInterface({ input: createReadStream(file, { encoding }), crlfDelay: Infinity })[Symbol.asyncIterator](),
  };
}

export const directoryCommand: Command = {
  usage: DIRECTORY_USAGE,
  async run(args) {
    const p = parseArgs(args);
    const [sub, target] = p.positional;
    const known = (sub === 'load' || sub === 'regulation-centre') ? target !== undefined : sub === 'regulation-centres';
    if (!known) {
      console.error(DIRECTORY_USAGE);
      return 2;
    }
    const lines = sub === 'load' ? linesOf(target, optionString(p, 'encoding') ?? 'utf8') : null;
    const app = await createCore({ ...loadConfig(), logLevel: 'warn' });
    try {
      const directory = app.services.directory;
      if (lines) {
        const report = await directory.loadExtract(operator, lines, { dryRun: p.options.has('dry-run') });
        if (p.options.has('json')) console.log(JSON.stringify(report, null, 2));
        else printReport(report);
      } else if (sub === 'regulation-centre') {
        const on = !p.options.has('off');
        await directory.setRegulationCentre(operator, target, on);
        console.log(`${target} ${on ? 'is' : 'is no longer'} a medical regulation centre`);
      } else {
        for (const c of await directory.regulationCentres()) console.log(`${c.structure_id}\t${c.name}${c.active ? '' : '\t(inactive)'}`);
      }
    } finally {
      await app.close();
    }
  },
};
