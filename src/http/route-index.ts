// Which methods a path answers to. Fastify answers 404 for a known path called with the wrong
// method; this index lets the not-found handler answer 405 with an Allow header instead.

interface Entry {
  pattern: RegExp;
  methods: Set<string>;
}

function toRegExp(url: string): RegExp {
  const escaped = url
    .split('/')
    .map((seg) => {
      if (seg === '*') return '.*';
      if (seg.startsWith(':')) return '[^/]+';
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

export class RouteIndex {
  private readonly entries = new Map<string, Entry>();

  add(method: string | string[], url: string): void {
    const entry = this.entries.get(url) ?? { pattern: toRegExp(url), methods: new Set<string>() };
    for (const m of Array.isArray(method) ? method : [method]) entry.methods.add(m.toUpperCase());
    this.entries.set(url, entry);
  }

  /** Whether some route lives under this first path segment (`fhir` for /fhir/...): a door's ground. */
  hasFirstSegment(segment: string): boolean {
    const prefix = `/${segment}`;
    for (const url of this.entries.keys()) if (url === prefix || url.startsWith(`${prefix}/`)) return true;
    return false;
  }

  /** Methods allowed on a concrete path (without query), or an empty list when the path is unknown. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const e of this.entries.values()) {
      if (e.pattern.test(path)) e.methods.forEach((m) => methods.add(m));
    }
    return [...methods].sort();
  }
}
