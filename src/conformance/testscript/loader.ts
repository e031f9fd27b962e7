// Loading TestScripts (JSON or XML) from files and directories.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import type { TestScript } from '@medplum/fhirtypes';
import { parseFhir, sniffFormat } from './format.js';

export interface LoadedScript {
  file: string;
  dir: string;
  script: TestScript;
}

/** Parses JSON or FHIR XML text, choosing by file extension, else by content. */
export function parseFhirText(text: string, hint?: string): unknown {
  const ext = hint ? extname(hint).toLowerCase() : '';
  const format = ext === '.json' ? 'json' : ext === '.xml' ? 'xml' : sniffFormat(text);
  if (format) return parseFhir(text, format);
  throw new Error(`${hint ?? 'text'}: neither JSON nor XML`);
}

export async function loadTestScript(file: string): Promise<LoadedScript> {
  const path = resolve(file);
  const value = parseFhirText(await readFile(path, 'utf8'), path) as TestScript;
  if (!value || value.resourceType !== 'TestScript') {
    throw new Error(`${file}: not a TestScript (resourceType ${String((value as { resourceType?: unknown })?.resourceType)})`);
  }
  return { file: path, dir: dirname(path), script: value };
}

/**
 * Expands the given files and directories into TestScript files. A directory is walked
 * recursively and every `.json`/`.xml` file whose content declares a TestScript is kept
 * (fixture files next to the scripts are skipped).
 */
export async function findTestScriptFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const info = await stat(p);
    if (info.isFile()) out.push(resolve(p));
    else if (info.isDirectory()) await walk(resolve(p), out);
  }
  return out;
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) await walk(full, out);
    else if (/\.(json|xml)$/i.test(e.name) && (await declaresTestScript(full))) out.push(full);
  }
}

async function declaresTestScript(file: string): Promise<boolean> {
  const head = (await readFile(file, 'utf8')).slice(0, 4000);
  return /"resourceType"\s*:\s*"TestScript"/.test(head) || /<TestScript[\s>]/.test(head);
}
