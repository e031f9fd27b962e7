// The examples of the documentation, read from the Markdown as a reader sees them (the format is
// described in docs/CONTRIBUTING.md, "Examples in the documentation"):
//   ```sh example            a shell block the reader pastes; run in order, one shell per file
//   ```json answer 200       what the block before prints, and the HTTP status of its last call
// In an answer, `…` stands for anything: a whole JSON value ("…"), part of a string
// ("Patient/…"), the other keys of an object ("…": "…"), the rest of an array (a last "…"
// element), or any text in an XML or text answer.

export interface DocAnswer {
  /** json | xml | text | any other word: compared as text */
  lang: string;
  status?: number;
  template: string;
  line: number;
}

export interface DocExample {
  file: string;
  /** line of the opening fence, 1-based */
  line: number;
  script: string;
  answer?: DocAnswer;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*(.*)$/;

/** The `sh example` blocks of a Markdown text, each with the `answer` block that follows it. */
export function readExamples(markdown: string, file: string): DocExample[] {
  const lines = markdown.split('\n');
  const out: DocExample[] = [];
  let last: DocExample | undefined;
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const info = open[3]!.trim().split(/\s+/);
    const body: string[] = [];
    let j = i + 1;
    const closes = (l: string) => {
      const t = l.trim();
      return t.length >= fence.length && t === fence[0]!.repeat(t.length);
    };
    while (j < lines.length && !closes(lines[j]!)) body.push(lines[j++]!);
    if (j >= lines.length) throw new Error(`${file}:${i + 1}: a code block is never closed`);
    const text = body.join('\n');
    if (info[1] === 'example') {
      if (info[0] !== 'sh') throw new Error(`${file}:${i + 1}: examples are shell blocks (\`\`\`sh example)`);
      last = { file, line: i + 1, script: text };
      out.push(last);
    } else if (info[1] === 'answer') {
      if (!last || last.answer) throw new Error(`${file}:${i + 1}: an answer block must follow its example block`);
      const status = info[2] === undefined ? undefined : Number(info[2]);
      if (status !== undefined && !/^\d{3}$/.test(info[2]!)) throw new Error(`${file}:${i + 1}: "${info[2]}" is not an HTTP status`);
      last.answer = { lang: info[0]!, status, template: text, line: i + 1 };
    } else {
      last = undefined;
    }
    i = j;
  }
  return out;
}

const ELLIPSIS = '…';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A template string with `…` holes as an anchored regular expression. */
function holes(template: string): RegExp {
  return new RegExp(`^${template.split(ELLIPSIS).map(escapeRegExp).join('[\\s\\S]*?')}$`);
}

/** Where `actual` departs from the JSON template, or undefined when it matches. */
export function jsonMismatch(template: unknown, actual: unknown, path = '$'): string | undefined {
  if (template === ELLIPSIS) return undefined;
  if (typeof template === 'string') {
    if (typeof actual !== 'string') return `${path}: expected a string like ${JSON.stringify(template)}, got ${JSON.stringify(actual)}`;
    return holes(template).test(actual) ? undefined : `${path}: expected ${JSON.stringify(template)}, got ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(template)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    const open = template.length > 0 && template[template.length - 1] === ELLIPSIS;
    const fixed = open ? template.slice(0, -1) : template;
    if (open ? actual.length < fixed.length : actual.length !== fixed.length) {
      return `${path}: expected ${open ? 'at least ' : ''}${fixed.length} elements, got ${actual.length}`;
    }
    for (let i = 0; i < fixed.length; i++) {
      const m = jsonMismatch(fixed[i], actual[i], `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (template !== null && typeof template === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    const t = template as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const open = t[ELLIPSIS] === ELLIPSIS;
    for (const key of Object.keys(t)) {
      if (key === ELLIPSIS) continue;
      if (!(key in a)) return `${path}.${key}: missing`;
      const m = jsonMismatch(t[key], a[key], `${path}.${key}`);
      if (m) return m;
    }
    const extra = Object.keys(a).filter((k) => !(k in t));
    if (!open && extra.length) return `${path}: keys the documentation does not show: ${extra.join(', ')} (add them, or "…": "…")`;
    return undefined;
  }
  return Object.is(template, actual) ? undefined : `${path}: expected ${JSON.stringify(template)}, got ${JSON.stringify(actual)}`;
}

/** XML as one line without the spaces between tags, so that a documented answer may be indented. */
function compactXml(xml: string): string {
  return xml.replace(/>\s+</g, '><').replace(/>\s+…/g, '>…').replace(/…\s+</g, '…<').trim();
}

/** Where the printed output departs from the documented answer, or undefined when it matches. */
export function answerMismatch(answer: DocAnswer, printed: string): string | undefined {
  if (answer.lang === 'json') {
    let actual: unknown;
    try {
      actual = JSON.parse(printed);
    } catch {
      return `the example printed no JSON: ${printed.slice(0, 300)}`;
    }
    return jsonMismatch(JSON.parse(answer.template), actual);
  }
  const [t, a] = answer.lang === 'xml' ? [compactXml(answer.template), compactXml(printed)] : [answer.template.trim(), printed.trim()];
  return holes(t).test(a) ? undefined : `expected (… = anything):\n${t}\ngot:\n${a.slice(0, 2000)}`;
}
