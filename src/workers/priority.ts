// Worker threads yield the CPU to the event loop. On a small machine a busy worker (a large body
// being read or checked) competes for the same cores as the thread answering every other
// request; a higher niceness tells the scheduler to serve the event loop first, so that a costly
// request waits, not /health or a search. Linux schedules threads one by one and applies
// setpriority(0) to the calling thread alone; elsewhere it would lower the whole process, so it
// is left alone.
import { setPriority } from 'node:os';

export function lowerThisThreadPriority(niceness: number): void {
  if (niceness <= 0 || process.platform !== 'linux') return;
  try {
    setPriority(0, Math.min(niceness, 19));
  } catch {
    // a system that refuses keeps the thread at the process's priority: slower, not wrong
  }
}
