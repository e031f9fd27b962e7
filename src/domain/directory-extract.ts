// Reads the national directory's public extraction file (the RPPS "PS_LibreAcces" flat files):
// one header line naming the columns, then one line per activity of a professional, fields
// separated by '|'. Columns are found by their names, not their places, since the publisher adds
// columns over time. Pure: it is handed the lines one by one and says, per line, what it kept
// or why it refused it; the file reading and the writing to the store live elsewhere.
import { foldForSearch } from './string-search.js';

/** The columns Carnet reads, by their published names (compared without accents or case). */
export const EXTRACT_COLUMNS = {
  idType: "Type d'identifiant PP",
  id: 'Identifiant PP',
  idNat: 'Identification nationale PP',
  family: "Nom d'exercice",
  given: "Prénom d'exercice",
  profession: 'Code profession',
  savoirFaireType: 'Code type savoir-faire',
  savoirFaire: 'Code savoir-faire',
  siret: 'Numéro SIRET site',
  finess: 'Numéro FINESS site',
  companyName: 'Raison sociale site',
  tradeName: 'Enseigne commerciale site',
  sector: "Code secteur d'activité",
  streetNumber: 'Numéro Voie (coord. structure)',
  streetType: 'Libellé type de voie (coord. structure)',
  street: 'Libellé Voie (coord. structure)',
  postcode: 'Code postal (coord. structure)',
  town: 'Libellé commune (coord. structure)',
  cedex: 'Bureau cedex (coord. structure)',
} as const;
type Column = keyof typeof EXTRACT_COLUMNS;

/** A line longer than this is refused unread (a real line is well under 2 000 characters). */
export const MAX_EXTRACT_LINE = 8_192;

export interface ExtractProfessional {
  idNatPs: string;
  given: string | null;
  family: string;
  profession: string;
  specialty: string | null;
  /** IdNat_Struct of each place of practice, in the order of the file; the first is the main one */
  structures: string[];
  /** the line that first named this professional */
  line: number;
}

export interface ExtractStructure {
  structureId: string;
  name: string;
  activitySector: string | null;
  address: string | null;
}

export interface ExtractRejection {
  /** 1-based line number in the file (the header is line 1) */
  line: number;
  reason: string;
}

export interface ExtractContent {
  professionals: Map<string, ExtractProfessional>;
  structures: Map<string, ExtractStructure>;
  rejections: ExtractRejection[];
  /** data lines read (blank lines not counted) */
  lines: number;
  accepted: number;
}

/**
 * Names compared as a reader would: no accents, no case (string search's fold), one kind of
 * apostrophe and of space.
 */
function columnKey(name: string): string {
  return foldForSearch(name)
    .replace(/[’`]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** Fields of one line; the published files end every line with a separator, which adds nothing. */
function fieldsOf(line: string): string[] {
  const fields = line.split('|');
  if (fields.length > 1 && line.endsWith('|')) fields.pop();
  return fields.map((f) => f.trim());
}

const RPPS = /^8\d{11}$/;
// ADELI numbers are nine characters; Corsican departments put 2A or 2B at the head.
const ADELI = /^0(\d{9}|2[AB]\d{7})$/i;
const FINESS = /^(\d{9}|2[AB]\d{7})$/i;
const SIRET = /^\d{14}$/;
const SECTOR = /^SA\d{2}$/;

export class ExtractFormatError extends Error {
  override name = 'ExtractFormatError';
}

/**
 * Reads an extraction line by line. `professions` are the profession codes Carnet knows (an
 * unknown one is refused: ACC-08 never lets an unknown profession in).
 */
export class ExtractReader {
  private columns: Partial<Record<Column, number>> | null = null;
  private width = 0;
  private lineNo = 0;
  private readonly content: ExtractContent = { professionals: new Map(), structures: new Map(), rejections: [], lines: 0, accepted: 0 };

  constructor(private readonly professions: ReadonlySet<string>) {}

  /** One line of the file, without its line ending. */
  push(raw: string): void {
    this.lineNo++;
    const line = this.lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (this.columns === null) {
      this.readHeader(line);
      return;
    }
    if (line.trim() === '') return;
    this.content.lines++;
    const reason = this.readLine(line);
    if (reason) this.content.rejections.push({ line: this.lineNo, reason });
    else this.content.accepted++;
  }

  /** What the file holds; throws when it had no header at all. */
  finish(): ExtractContent {
    if (this.columns === null) throw new ExtractFormatError('the file is empty: the first line must name the columns');
    return this.content;
  }

  private readHeader(line: string): void {
    const names = fieldsOf(line).map(columnKey);
    const columns: Partial<Record<Column, number>> = {};
    for (const [column, published] of Object.entries(EXTRACT_COLUMNS) as [Column, string][]) {
      const at = names.indexOf(columnKey(published));
      if (at >= 0) columns[column] = at;
    }
    const missing: string[] = [];
    if (columns.idNat === undefined && (columns.idType === undefined || columns.id === undefined)) missing.push(EXTRACT_COLUMNS.idNat);
    if (columns.family === undefined) missing.push(EXTRACT_COLUMNS.family);
    if (columns.profession === undefined) missing.push(EXTRACT_COLUMNS.profession);
    if (missing.length) {
      throw new ExtractFormatError(`line 1 is not the header of a directory extraction (fields separated by '|'): no column ${missing.map((m) => `"${m}"`).join(', ')}`);
    }
    this.columns = columns;
    this.width = names.length;
  }

  /** Keeps what the line says, or answers why it is refused (and then keeps nothing of it). */
  private readLine(line: string): string | null {
    if (line.length > MAX_EXTRACT_LINE) return `line longer than ${MAX_EXTRACT_LINE} characters`;
    const fields = fieldsOf(line);
    if (fields.length !== this.width) return `${fields.length} fields where the header names ${this.width}`;
    const get = (c: Column): string => {
      const at = this.columns![c];
      return at === undefined ? '' : fields[at];
    };

    const idNat = get('idNat') || (get('idType') && get('id') ? `${get('idType')}${get('id')}` : '');
    if (!idNat) return 'no identifier (Identification nationale PP)';
    if (!RPPS.test(idNat) && !ADELI.test(idNat)) {
      return `identifier ${idNat} is neither an RPPS number (8 + 11 digits) nor an ADELI number (0 + 9 characters)`;
    }
    if (get('idType') && get('idType') !== idNat[0]) return `identifier type ${get('idType')} does not match identifier ${idNat}`;
    const family = get('family');
    if (!family) return "no name (Nom d'exercice)";
    const profession = get('profession');
    if (!profession) return 'no profession code';
    if (!this.professions.has(profession)) return `unknown profession code ${profession}`;
    const specialty = this.specialtyOf(get('savoirFaireType'), get('savoirFaire'));

    const structure = this.structureOf(get);
    if (typeof structure === 'string') return structure;

    const given = get('given') || null;
    const known = this.content.professionals.get(idNat);
    if (known) {
      if (known.profession !== profession) return `${idNat} has profession ${known.profession} on line ${known.line}; one professional keeps one profession`;
      if (known.family !== family || known.given !== given) return `${idNat} is named otherwise on line ${known.line}`;
      if (!known.specialty && specialty) known.specialty = specialty;
    }
    if (structure && !this.content.structures.has(structure.structureId)) this.content.structures.set(structure.structureId, structure);
    const professional = known ?? { idNatPs: idNat, given, family, profession, specialty, structures: [], line: this.lineNo };
    if (structure && !professional.structures.includes(structure.structureId)) professional.structures.push(structure.structureId);
    this.content.professionals.set(idNat, professional);
    return null;
  }

  /** The specialty Carnet's matrix reads: the ordinal specialty ("S"); other kinds of savoir-faire are left out. */
  private specialtyOf(kind: string, code: string): string | null {
    if (!code) return null;
    return kind === '' || kind === 'S' ? code : null;
  }

  /** The place of practice: a FINESS site (IdNat_Struct 1…) or else a SIRET (3…); none is allowed (a replacement, say). */
  private structureOf(get: (c: Column) => string): ExtractStructure | string | null {
    const finess = get('finess');
    const siret = get('siret');
    let structureId: string;
    if (finess) {
      if (!FINESS.test(finess)) return `FINESS ${finess} is not 9 characters`;
      structureId = `1${finess.toUpperCase()}`;
    } else if (siret) {
      if (!SIRET.test(siret)) return `SIRET ${siret} is not 14 digits`;
      structureId = `3${siret}`;
    } else return null;
    const sector = get('sector');
    const street = [get('streetNumber'), get('streetType'), get('street')].filter(Boolean).join(' ');
    const town = get('postcode') || get('town') ? [get('postcode'), get('town')].filter(Boolean).join(' ') : get('cedex');
    const address = [street, town].filter(Boolean).join(', ');
    return {
      structureId,
      // A site without a name is still a place of practice; its identifier names it then.
      name: get('tradeName') || get('companyName') || structureId,
      activitySector: SECTOR.test(sector) ? sector : null,
      address: address || null,
    };
  }
}
