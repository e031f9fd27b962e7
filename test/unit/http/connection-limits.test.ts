// Issue 11: the per-client bound on connections counts one client per address an attacker cannot
// multiply at will: one IPv4 address (however written), one IPv6 /64 (the block a single site or
// host is given: each of its 2^64 addresses is as cheap to use as the next).
import { describe, expect, it } from '@jest/globals';
import { clientOf } from '../../../src/http/connection-limits.js';

describe('clientOf (the client a connection is counted against, issue 11)', () => {
  it('counts an IPv4 address as itself, written plain or mapped into IPv6', () => {
    expect(clientOf('192.0.2.7')).toBe('192.0.2.7');
    expect(clientOf('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientOf('::FFFF:192.0.2.7')).toBe('192.0.2.7');
    expect(clientOf('192.0.2.8')).not.toBe(clientOf('192.0.2.7'));
  });

  it('counts every address of one IPv6 /64 as one client, whatever its spelling', () => {
    const a = clientOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(clientOf('2001:db8:1:2::1')).toBe(a);
    expect(clientOf('2001:0db8:0001:0002:0:0:0:ffff')).toBe(a);
    expect(clientOf('2001:DB8:1:2::1%eth0')).toBe(a);
    expect(clientOf('2001:db8:1:3::1')).not.toBe(a);
    expect(clientOf('::1')).toBe(clientOf('::2'));
    expect(clientOf('::1')).not.toBe(clientOf('2001:db8::1'));
  });

  it('counts a connection without an address (already reset) under one shared name', () => {
    expect(clientOf(undefined)).toBe(clientOf(undefined));
  });
});
