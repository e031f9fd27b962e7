// Who calls the XDS door: the VIHF in wsse:Security, checked against the certificates the
// configuration trusts. A refused identity is answered with a wsse Fault and logged in the
// server's security log (TRACE-05), never in the trace of the patient it claims to be about.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { verifyVihfBlock, type SecurityHeaderBlock, type VihfVerifierConfig } from '../../auth/vihf.js';
import { vihfFaultSubcode, VihfError } from '../../auth/vihf-error.js';
import { VIHF_ATTRIBUTE } from '../../auth/vihf-identity.js';
import type { Config } from '../../config/config.js';
import type { Caller, Services } from '../../services/index.js';
import { formatCx, parseCx } from '../../domain/hl7v2.js';
import { NS, attr, childElements, descendants, textOf } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import { XdsWireError } from '../wire-error.js';
import { noteError, type FactsOf } from '../../http/request-facts.js';

/** The committed TEST-ONLY signer, trusted in development mode when nothing else is configured. */
const DEV_CERT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'vihf', 'TEST-ONLY-trusted-signer.cert.pem');

export function vihfVerifierConfig(config: Config, logger?: Logger): VihfVerifierConfig {
  let files = config.auth.vihfTrustedCertFiles;
  if (!files.length && config.devMode && existsSync(DEV_CERT)) {
    logger?.warn('development mode: trusting the TEST-ONLY VIHF signer; never in production');
    files = [DEV_CERT];
  }
  const trustedCertificates = files.map((f) => readFileSync(f, 'utf8'));
  const out: VihfVerifierConfig = { trustedCertificates, maxLifetimeSeconds: config.auth.vihfMaxLifetimeSeconds, insurerStructures: config.auth.insurerStructures };
  if (config.auth.vihfAudience) out.audiences = [config.auth.vihfAudience];
  return out;
}

/** Unverified claims, kept as such in the security log. */
function claimed(block: SecurityHeaderBlock | undefined): { patientId?: ReturnType<typeof parseCx>; claimedId?: string } {
  let security: Element | undefined;
  try {
    security = block?.element();
  } catch {
    // a block that cannot be read claims nothing
  }
  if (!security) return {};
  const out: { patientId?: ReturnType<typeof parseCx>; claimedId?: string } = {};
  for (const a of descendants(security, NS.saml2, 'Attribute')) {
    if (attr(a, 'Name') !== VIHF_ATTRIBUTE.resourceId) continue;
    const v = childElements(a, NS.saml2, 'AttributeValue')[0];
    const pid = v ? parseCx(textOf(v).trim()) : undefined;
    if (pid) out.patientId = pid;
  }
  const nameId = descendants(security, NS.saml2, 'NameID')[0];
  const id = nameId ? textOf(nameId).trim() : '';
  if (id) out.claimedId = id.slice(0, 64);
  return out;
}

export interface IdentifyContext {
  services: Services;
  verifier: VihfVerifierConfig;
  requestId: string;
  /** the request's record, where a refusal is noted for its log line */
  facts?: FactsOf;
  transaction: string;
  clientAddress?: string;
  clockNow: () => Date;
  /** the refusal stands even if the security log cannot be written; this hears of it */
  onLogError: (err: unknown) => void;
}

/** The caller of a request, or a wsse Fault (after tracing the refusal). */
export async function identify(security: SecurityHeaderBlock | undefined, ctx: IdentifyContext): Promise<Caller> {
  try {
    const identity = verifyVihfBlock(security, { ...ctx.verifier, now: ctx.clockNow });
    // The VIHF purpose of use is the access mode; the rules refuse anything they do not know.
    return { actor: await ctx.services.directory.withStanding(identity.actor), channel: 'xds', requestId: ctx.requestId };
  } catch (e) {
    if (!(e instanceof VihfError)) throw e;
    noteError(ctx.facts, e, { code: 'unauthenticated', reason: e.kind });
    const c = claimed(security);
    await ctx.services.accessRefusals
      .logUnauthenticated({
        channel: 'xds',
        requestId: ctx.requestId,
        reason: e.kind,
        operation: ctx.transaction,
        clientAddress: ctx.clientAddress,
        claims: { subject: c.claimedId, patient: c.patientId ? formatCx(c.patientId) : undefined },
      })
      .catch(ctx.onLogError);
    throw new XdsWireError(`security: ${e.message}`, { subcode: vihfFaultSubcode(e.kind) });
  }
}
