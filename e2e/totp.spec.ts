import { test, expect } from '@playwright/test';
import { totp } from './totp';

// The test's TOTP against the RFC 6238 vectors (SHA-1, last 6 digits).
test('the test TOTP implementation matches RFC 6238', () => {
  const key = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  expect(totp(key, 59)).toBe('287082');
  expect(totp(key, 1111111109)).toBe('081804');
  expect(totp(key, 1234567890)).toBe('005924');
  expect(totp(key, 2000000000)).toBe('279037');
});
