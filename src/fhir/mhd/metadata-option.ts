// Which MHD metadata option (Minimal, Comprehensive, UnContained) an ITI-65 Bundle claims, read
// from the profiles its Bundle.meta.profile names.
import { lookup } from '../../domain/lookup.js';

const MHD_SD = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition';

export type MetadataOption = 'minimal' | 'comprehensive' | 'uncontained';

const PROFILE_OPTIONS: Record<string, MetadataOption> = {
  [`${MHD_SD}/IHE.MHD.Minimal.ProvideBundle`]: 'minimal',
  [`${MHD_SD}/IHE.MHD.Comprehensive.ProvideBundle`]: 'comprehensive',
  [`${MHD_SD}/IHE.MHD.UnContained.Comprehensive.ProvideBundle`]: 'uncontained',
  'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-comprehensive-provide-document-bundle': 'comprehensive',
};

/** The metadata option a Bundle.meta.profile value names (http:// spellings of MHD 4.0 accepted). */
export function metadataOptionOf(profile: string): MetadataOption | undefined {
  const bare = profile.split('|')[0] ?? profile;
  return lookup(PROFILE_OPTIONS, bare) ?? lookup(PROFILE_OPTIONS, bare.replace(/^http:\/\//, 'https://'));
}

/** The option a Bundle's profiles claim, the richest first; undefined when none is an MHD one. */
export function claimedOption(profiles: readonly string[]): MetadataOption | undefined {
  const options = profiles.map(metadataOptionOf).filter((o): o is MetadataOption => o !== undefined);
  return options.includes('uncontained') ? 'uncontained' : options.includes('comprehensive') ? 'comprehensive' : options[0];
}
