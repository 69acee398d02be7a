import { test, expect } from '@playwright/test';
import { totp } from './totp';

// The tests' codes (oathtool, given the test's time) against the RFC 6238
// vectors (SHA-1; the last 6 digits, and all 8).
test('the tests\' codes (oathtool at the test\'s time) match RFC 6238', () => {
  const key = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  expect(totp(key, 59)).toBe('287082');
  expect(totp(key, 1111111109)).toBe('081804');
  expect(totp(key, 1234567890)).toBe('005924');
  expect(totp(key, 2000000000)).toBe('279037');
  expect(totp(key, 59, 8)).toBe('94287082');
  expect(totp(key, 20000000000, 8)).toBe('65353130');
});
