// Names of the professionals and structures a page mentions, from the directory (one search
// per kind for a whole list of ids).
import type { Bundle, Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { pageOf } from '../../fhir/bundle';
import type { RecordApi } from '../../session/useRecord';

export interface DirectoryNames {
  practitioners: Map<string, Practitioner>;
  roles: Map<string, PractitionerRole>;
  organizations: Map<string, Organization>;
}

export function practitionerName(p?: Practitioner): string {
  const n = p?.name?.[0];
  return n ? [n.given?.join(' '), n.family].filter(Boolean).join(' ') : '';
}

export function useDirectoryNames(record: RecordApi, practitionerIds: string[], organizationIds: string[]): DirectoryNames {
  const pIds = [...new Set(practitionerIds)].sort();
  const oIds = [...new Set(organizationIds)].sort();
  const roles = useQuery({
    queryKey: ['directory', 'roles', pIds],
    enabled: pIds.length > 0,
    staleTime: 300_000,
    queryFn: () => record.get<Bundle>(`/PractitionerRole?_id=${pIds.map(encodeURIComponent).join(',')}&_count=100`),
  });
  const people = useQuery({
    queryKey: ['directory', 'practitioners', pIds],
    enabled: pIds.length > 0,
    staleTime: 300_000,
    queryFn: () => record.get<Bundle>(`/Practitioner?_id=${pIds.map(encodeURIComponent).join(',')}&_count=100`),
  });
  const roleOrgs = roles.data ? pageOf<PractitionerRole>(roles.data, 'PractitionerRole').items.map((r) => r.organization?.reference?.split('/')[1] ?? '').filter(Boolean) : [];
  const allOrgs = [...new Set([...oIds, ...roleOrgs])].sort();
  const orgs = useQuery({
    queryKey: ['directory', 'organizations', allOrgs],
    enabled: allOrgs.length > 0,
    staleTime: 300_000,
    queryFn: () => record.get<Bundle>(`/Organization?_id=${allOrgs.map(encodeURIComponent).join(',')}&_count=100`),
  });
  const map = <T extends { id?: string }>(items: T[]) => new Map(items.map((x) => [x.id ?? '', x]));
  return {
    practitioners: map(people.data ? pageOf<Practitioner>(people.data, 'Practitioner').items : []),
    roles: map(roles.data ? pageOf<PractitionerRole>(roles.data, 'PractitionerRole').items : []),
    organizations: map(orgs.data ? pageOf<Organization>(orgs.data, 'Organization').items : []),
  };
}
