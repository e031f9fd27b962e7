// A tiny `--name value` / `--flag` argument reader for the subcommands.

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

export function parseArgs(args: string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) options.set(a.slice(2, eq), a.slice(eq + 1));
      else if (i + 1 < args.length && !args[i + 1].startsWith('--')) options.set(a.slice(2), args[++i]);
      else options.set(a.slice(2), true);
    } else positional.push(a);
  }
  return { positional, options };
}

export function optionString(p: ParsedArgs, name: string): string | undefined {
  const v = p.options.get(name);
  return typeof v === 'string' ? v : undefined;
}
