// DMP-06: the maintenance windows the server announces (GET /maintenance, public), read every
// minute. The banner lists them; a function under maintenance says so where it is used.
import { useQuery } from '@tanstack/react-query';
import { getMaintenance, type MaintenanceWindow } from '../api/auth';

export function useMaintenanceWindows(): MaintenanceWindow[] {
  const q = useQuery({ queryKey: ['maintenance'], queryFn: getMaintenance, refetchInterval: 60_000, staleTime: 30_000, retry: false });
  return q.data?.windows ?? [];
}

export const isRunning = (w: MaintenanceWindow, now = Date.now()) => Date.parse(w.startsAt) <= now && now < Date.parse(w.endsAt);

/** The running window that suspends this server function (the names of GET /maintenance), if any. */
export function useSuspended(fn: string): MaintenanceWindow | undefined {
  return useMaintenanceWindows().find((w) => w.function === fn && isRunning(w));
}
