// Loads the raw XDS messages of test/fixtures/xds (HTTP dumps, bare MIME bodies, toolkit
// HttpTransaction bodies) as what an HTTP server would receive: a Content-Type and a body Buffer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
/** raw-messages/ and this fixture folder's README */
export const XDS_DATA = join(ROOT, 'test', 'fixtures', 'xds');
/** the NIST test plans, as the conformance runner uses them */
export const XDS_TESTKIT = join(ROOT, 'conformance', 'xds', 'tests');

export interface RawHttpMessage {
  contentType: string;
  body: Buffer;
}

/** A dump beginning with an HTTP request line and headers. */
export function loadHttpDump(path: string): RawHttpMessage {
  const buf = readFileSync(path);
  let sep = buf.indexOf('\r\n\r\n');
  let sepLen = 4;
  const lf = buf.indexOf('\n\n');
  if (sep < 0 || (lf >= 0 && lf < sep)) {
    sep = lf;
    sepLen = 2;
  }
  const head = buf.subarray(0, sep).toString('latin1');
  const ct = /^content-type:\s*(.+)$/im.exec(head);
  if (!ct) throw new Error(`no Content-Type in ${path}`);
  return { contentType: ct[1]!.trim(), body: buf.subarray(sep + sepLen) };
}

/** A toolkit HttpTransaction: testplan.xml (Headers) + body file. */
export function loadToolkitHttp(dir: string): RawHttpMessage {
  const plan = readFileSync(join(dir, 'testplan.xml'), 'utf8');
  const ct = /Content-Type:\s*([^\n]+)/.exec(plan);
  if (!ct) throw new Error(`no Content-Type in ${dir}/testplan.xml`);
  return { contentType: ct[1]!.trim(), body: readFileSync(join(dir, 'body.txt')) };
}

/** A bare MIME body whose first line is the delimiter: the boundary is taken from it. */
export function loadBareMime(path: string): RawHttpMessage {
  const body = readFileSync(path);
  const first = body.subarray(0, body.indexOf('\n')).toString('latin1').trim();
  return {
    contentType: `multipart/related; boundary="${first.slice(2)}"; type="application/xop+xml"; start-info="application/soap+xml"`,
    body,
  };
}

export function readXdsFile(relative: string): string {
  return readFileSync(join(relative.startsWith('tests/') ? join(XDS_TESTKIT, '..') : XDS_DATA, relative), 'utf8');
}
