// Codes from oathtool (Debian's package, which scripts/install --test puts on
// the machine): an RFC 6238 implementation independent of the server's, as
// a person's authenticator app is. The time is the test's (the server's fake
// clock), passed as a Unix time.
import { execFileSync } from 'node:child_process';

/** The code for Unix time `unixSeconds` (SHA-1, 30 s steps, `digits` digits). */
export function totp(secretBase32: string, unixSeconds: number, digits = 6, period = 30): string {
  return execFileSync(
    'oathtool',
    ['--totp', '--base32', `--digits=${digits}`, `--time-step-size=${period}s`, '-N', `@${Math.floor(unixSeconds)}`, secretBase32],
    { encoding: 'utf8' },
  ).trim();
}
