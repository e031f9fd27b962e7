// The entity tag of a document's bytes and If-None-Match (RFC 9110 §8.8.3, §13.1.2).
import { describe, expect, it } from '@jest/globals';
import { contentEtag, noneMatchNames } from '../../../src/http/entity-tags.js';

const SHA = 'a'.repeat(64);
const TAG = `"${SHA}"`;

describe('entity tags', () => {
  it('the tag of bytes is their SHA-256, quoted, strong', () => {
    expect(contentEtag(SHA)).toBe(TAG);
  });

  it('If-None-Match names the tag alone, in a list (spaces or not), in its weak form, or as *', () => {
    for (const field of [TAG, `"x", ${TAG}`, `"x",${TAG},"y"`, `W/${TAG}`, '*', ' * ']) expect({ field, named: noneMatchNames(field, TAG) }).toEqual({ field, named: true });
  });

  it('If-None-Match absent, naming other tags, empty, or not a tag at all names nothing', () => {
    for (const field of [undefined, '"x"', `"${SHA.slice(1)}"`, '', SHA, 'W/x', '**']) expect({ field, named: noneMatchNames(field, TAG) }).toEqual({ field, named: false });
  });
});
