// DMP-06: an operator announces a window during which one function is unavailable while the
// others go on. The store keeps the windows; these functions say what is suspended now and what
// clients should be told.

export interface MaintenanceWindow {
  /** the suspended function, e.g. "record.create" (an Action name or a service name) */
  functionName: string;
  /** ISO timestamps; the window is [startsAt, endsAt) */
  startsAt: string;
  endsAt: string;
  message?: string;
}

function covers(w: MaintenanceWindow, now: Date): boolean {
  const t = now.getTime();
  return Date.parse(w.startsAt) <= t && t < Date.parse(w.endsAt);
}

/** The window suspending `fn` at `now`, if any (the one ending last when several overlap). */
export function activeWindow(windows: readonly MaintenanceWindow[], fn: string, now: Date): MaintenanceWindow | null {
  const active = windows.filter((w) => w.functionName === fn && covers(w, now));
  if (active.length === 0) return null;
  return active.reduce((a, b) => (Date.parse(b.endsAt) > Date.parse(a.endsAt) ? b : a));
}

export function isFunctionSuspended(windows: readonly MaintenanceWindow[], fn: string, now: Date): boolean {
  return activeWindow(windows, fn, now) !== null;
}

/** What clients may read: windows not over yet, soonest first. */
export function announcedWindows(windows: readonly MaintenanceWindow[], now: Date): MaintenanceWindow[] {
  return windows
    .filter((w) => Date.parse(w.endsAt) > now.getTime())
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
}

/** A window must name a function and end after it starts; refused otherwise with the problem. */
export function maintenanceWindowProblem(w: MaintenanceWindow): string | null {
  if (w.functionName.trim() === '') return 'functionName is empty';
  const start = Date.parse(w.startsAt);
  const end = Date.parse(w.endsAt);
  if (Number.isNaN(start)) return `startsAt is not a timestamp: ${w.startsAt}`;
  if (Number.isNaN(end)) return `endsAt is not a timestamp: ${w.endsAt}`;
  return end > start ? null : 'endsAt must be after startsAt';
}
