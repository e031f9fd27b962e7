// `carnet directory` as an operator runs it: a real process on a data directory, the sample
// extraction of test/fixtures. The output checked here is the one docs/OPERATIONS.md shows. The
// data directory starts with its store created and migrated (not what is tested here).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCarnetProcesses } from '../support/cli.js';
import { fillMigratedDataDir } from '../support/data-dir-template.js';

const carnet = useCarnetProcesses();
const SAMPLE = join(process.cwd(), 'test', 'fixtures', 'directory', 'ps-libre-acces-sample.txt');
let dataDir: string;

beforeAll(async () => {
  dataDir = carnet.tempDir('carnet-directory-');
  await fillMigratedDataDir(dataDir);
}, 120_000);

describe('carnet directory', () => {
  it('PAT-04: loads the sample extraction, printing what changed and each refused line with its number', async () => {
    const r = await carnet.run(['directory', 'load', SAMPLE], { CARNET_DATA_DIR: dataDir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      '13 lines read, 7 accepted, 6 refused',
      'professionals: 5 added, 0 updated, 0 unchanged, 0 retired',
      'structures: 4 added, 0 updated, 0 unchanged, 0 retired',
      'refused line 7: unknown profession code 99',
      'refused line 8: identifier 8123 is neither an RPPS number (8 + 11 digits) nor an ADELI number (0 + 9 characters)',
      'refused line 9: 10 fields where the header names 52',
      "refused line 10: no name (Nom d'exercice)",
      'refused line 13: FINESS 75000 is not 9 characters',
      'refused line 14: 810100000001 has profession 10 on line 2; one professional keeps one profession',
    ]);
  }, 120_000);

  it('PAT-04: a dry run of a later extraction says what it would retire, as JSON when asked', async () => {
    const later = join(carnet.tempDir('carnet-directory-later-'), 'later.txt');
    writeFileSync(later, readFileSync(SAMPLE, 'utf8').split('\n').filter((_l, i) => i !== 3).join('\n'));
    const r = await carnet.run(['directory', 'load', later, '--dry-run', '--json'], { CARNET_DATA_DIR: dataDir });
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { dryRun: boolean; professionals: Record<string, number> };
    expect(report).toMatchObject({ dryRun: true, professionals: { added: 0, updated: 0, unchanged: 4, retired: 1 } });
  }, 120_000);

  it('ACC-05: marks and lists the regulation centres; an unknown structure is one clear line', async () => {
    const mark = await carnet.run(['directory', 'regulation-centre', '1750000029'], { CARNET_DATA_DIR: dataDir });
    expect(mark).toMatchObject({ status: 0, stdout: '1750000029 is a medical regulation centre\n' });
    const list = await carnet.run(['directory', 'regulation-centres'], { CARNET_DATA_DIR: dataDir });
    expect(list.stdout).toBe('1750000029\tSAMU DE PARIS - CENTRE 15\n');
    const unknown = await carnet.run(['directory', 'regulation-centre', '1999999999'], { CARNET_DATA_DIR: dataDir });
    expect(unknown).toMatchObject({ status: 1, stderr: 'carnet: no structure 1999999999 in the directory\n' });
  }, 120_000);

  it('PAT-04: a file that is not an extraction is refused in one line, and a missing one too', async () => {
    const wrong = join(carnet.tempDir('carnet-directory-wrong-'), 'wrong.csv');
    writeFileSync(wrong, 'nom;prenom\nDupont;Jean\n');
    const r = await carnet.run(['directory', 'load', wrong], { CARNET_DATA_DIR: dataDir });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^carnet: line 1 is not the header of a directory extraction \(fields separated by '\|'\): no column "Identification nationale PP", "Nom d'exercice", "Code profession"\n$/);
    const missing = await carnet.run(['directory', 'load', join(dataDir, 'nowhere.txt')], { CARNET_DATA_DIR: dataDir });
    expect(missing).toMatchObject({ status: 2, stderr: expect.stringMatching(/nowhere\.txt: no such file\n$/) });
  }, 120_000);
});
