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

/** A file met in a directory run that is not a TestScript, and what it is. */
export interface OtherFile {
  file: string;
  /** what the file holds instead, e.g. "a Bundle" or "neither JSON nor XML" */
  holds: string;
}

export interface Survey {
  scripts: string[];
  others: OtherFile[];
}

/**
 * Expands the given files and directories. Every `.json`/`.xml` file of a directory (walked
 * recursively) is read whole and sorted into TestScripts and other files: nothing is dropped
 * on a guess from its first characters, so the caller can report what it did not run.
 */
export async function surveyTestScriptFiles(paths: string[]): Promise<Survey> {
  const survey: Survey = { scripts: [], others: [] };
  for (const p of paths) {
    const info = await stat(p);
    if (info.isFile()) survey.scripts.push(resolve(p));
    else if (info.isDirectory()) await walk(resolve(p), survey);
  }
  return survey;
}

/** The TestScript files among the given files and directories (see surveyTestScriptFiles). */
export async function findTestScriptFiles(paths: string[]): Promise<string[]> {
  return (await surveyTestScriptFiles(paths)).scripts;
}

async function walk(dir: string, survey: Survey): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) await walk(full, survey);
    else if (/\.(json|xml)$/i.test(e.name)) {
      const holds = await whatFileHolds(full);
      if (holds === 'TestScript') survey.scripts.push(full);
      else survey.others.push({ file: full, holds });
    }
  }
}

/** "TestScript", or a short description of what else the file holds. */
async function whatFileHolds(file: string): Promise<string> {
  let value: unknown;
  try {
    value = parseFhirText(await readFile(file, 'utf8'), file);
  } catch (err) {
    // A file that names TestScript but cannot be parsed is a broken script: loading it reports why.
    const text = await readFile(file, 'utf8');
    if (/"resourceType"\s*:\s*"TestScript"/.test(text) || /<TestScript[\s>]/.test(text)) return 'TestScript';
    return `unreadable content (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
  }
  const type = value && typeof value === 'object' ? (value as { resourceType?: unknown }).resourceType : undefined;
  if (type === 'TestScript') return 'TestScript';
  return typeof type === 'string' ? `a ${type}` : 'no FHIR resource';
}
