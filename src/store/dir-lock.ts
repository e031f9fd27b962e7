// The embedded store (PGlite) lives in one process at a time: a second process opening the same
// directory would corrupt it. A lock file names the process that holds the directory; a lock
// left by a process that no longer runs is taken over.
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class StoreInUseError extends Error {
  override name = 'StoreInUseError';
}

/** The embedded store's directory cannot be created or written (a container's volume owned by root…). */
export class StoreDirError extends Error {
  override name = 'StoreDirError';
}

const LOCK_FILE = '.carnet-lock';

/** Creates the directory if needed and checks that this process may write in it. */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    const user = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
    throw new StoreDirError(
      `the embedded store's directory ${dir} is not writable by this user${user}: ${code}; make it writable, set CARNET_DATA_DIR to a writable directory, or use DATABASE_URL`,
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory for this process; returns the function that gives it back. */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new StoreInUseError(
          `the embedded store in ${dir} is in use by process ${holder} (a running carnet serve?); stop it first, or use DATABASE_URL`,
        );
      }
      unlinkSync(file); // stale: its process is gone
    }
  }
  throw new StoreInUseError(`cannot lock the embedded store in ${dir}`);
}
