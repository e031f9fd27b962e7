// Where a benchmark's server process takes the server's code from: the compiled dist/ that
// `carnet serve` runs (built by `npm install`), when it is there and no source is newer than it,
// else the sources. Compiled and source servers differ in more than speed: the sources index the
// whole of the FHIR definitions, the build only the subset the server uses, so a memory figure
// from the sources overstates what `carnet serve` holds.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

function compiledIsCurrent(): boolean {
  const stamp = join(ROOT, 'dist', '.build-stamp');
  if (!existsSync(stamp)) return false;
  const builtAt = statSync(stamp).mtimeMs;
  for (const entry of readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs > builtAt) return false;
  }
  return true;
}

export const serverCodeKind: 'compiled' | 'sources' = compiledIsCurrent() ? 'compiled' : 'sources';

/** The server's module at `path` (relative to src/, without extension), from dist/ or src/. */
export function serverModule<T>(path: string): Promise<T> {
  const file = serverCodeKind === 'compiled' ? join(ROOT, 'dist', `${path}.js`) : join(ROOT, 'src', `${path}.ts`);
  return import(pathToFileURL(file).href) as Promise<T>;
}
