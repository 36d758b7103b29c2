import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackHost } from '../../../src/platforms/sandbox/sandbox.guard.ts';

describe('loopback guard', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['::FFFF:127.0.0.2', true],
    ['10.1.2.3', false],
    ['192.168.1.5', false],
    ['::ffff:10.0.0.1', false],
    ['1270.0.0.1', false],
    ['127.0.0.1.evil', false],
    ['fe80::1', false],
    ['', false],
    [undefined, false],
  ])('address %s → %s', (a, ok) => expect(isLoopbackAddress(a)).toBe(ok));

  it.each([
    ['localhost', true],
    ['localhost:3000', true],
    ['127.0.0.1:3000', true],
    ['[::1]:3000', true],
    ['app.localhost:3000', true],
    ['evil.example', false],
    ['evil.example:3000', false],
    ['127.0.0.1.nip.io', false],
    ['localhost.evil.example', false],
    [undefined, false],
  ])('host %s → %s', (h, ok) => expect(isLoopbackHost(h)).toBe(ok));
});
