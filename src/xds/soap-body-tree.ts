// The envelope and a small Body as one tree, before the sender is known: one parse instead of
// two for a query or an update, bounded so that an anonymous request never costs more than its
// Header's bound twice. readSoapHead (soap.ts) decides when it applies; this file makes the tree,
// with the plain reader for a stored query and the DOM for the rest.
import { NS, childElements, parseScannedXml } from '../xml/index.js';
import type { Element } from '../xml/index.js';
import { localNameOf, type SecuritySpan } from './soap-security-block.js';
import { readPlainXml } from '../xml/plain-read.js';

/**
 * A Body parsed with the Header, before the sender is known, is bounded in characters as well as
 * in elements: an inline ITI-41 Document is one element holding megabytes of base64, which an
 * unidentified sender must not get parsed. A query or an update is a few kilobytes.
 */
export const ONE_TREE_MAX_BODY_CHARS = 64 * 1024;

/**
 * The envelope's tree with its Body (the root's child at `bodyIndex`, as the scan found them): the
 * root, its other children (what a tree of the envelope without its Body would hold), and the Body
 * itself when it is the SOAP 1.2 Body, as readBody() finds it in a tree of its own. Undefined when
 * the text is not well-formed or the children are not those the scan found: the two parses then
 * answer, each with its own error at its own time (a Body's after the sender is known).
 */
export function oneTree(xml: string, bodyIndex: number): OneTree | undefined {
  let env: Element;
  try {
    env = parseScannedXml(xml).documentElement!;
  } catch {
    return undefined;
  }
  return treeParts(env, bodyIndex, false);
}

export interface OneTree {
  env: Element;
  others: Element[];
  body: Element | undefined;
  /** made by the plain reader: its elements are for dom.ts's walks alone */
  plain: boolean;
}

function treeParts(env: Element, bodyIndex: number, plain: boolean): OneTree | undefined {
  const children = childElements(env);
  const bodyEl = children[bodyIndex];
  if (!bodyEl || localNameOf(bodyEl.tagName) !== 'Body') return undefined;
  return { env, others: children.filter((_, i) => i !== bodyIndex), body: bodyEl.namespaceURI === NS.soap12 ? bodyEl : undefined, plain };
}

/**
 * oneTree's tree made by the plain reader, the Security block's content left out by its span;
 * undefined when the text is not in the plain form. A Security block read whole (no span) is
 * for the verifier, which needs the DOM's: such a Header is left to the DOM.
 */
export function plainTree(text: string, span: SecuritySpan | undefined, bodyIndex: number): OneTree | undefined {
  const env = readPlainXml(text, span);
  if (!env) return undefined;
  const tree = treeParts(env, bodyIndex, true);
  const header = tree?.others[0];
  if (!span && header && childElements(header, NS.wsse, 'Security').length) return undefined;
  return tree;
}
