// The product's name and version, as the CapabilityStatement and logs report them.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const SOFTWARE = { name: 'Carnet', version: pkg.version };
