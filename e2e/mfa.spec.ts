import { test, expect, Page } from '@playwright/test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import {
  ADMIN,
  Authenticator,
  adminApp,
  adminWithMfa,
  advance,
  chooseInMenu,
  logIn,
  logOut,
  shownKey,
  submitLogin,
} from './fixtures';

const USER = 'ivan@example.com';

async function readQr(page: Page): Promise<string> {
  const png = PNG.sync.read(await page.locator('.qr').screenshot());
  const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(found, 'a QR code on the page').not.toBeNull();
  return found!.data;
}

/** A six-digit code that is not `code`. */
function otherThan(code: string): string {
  return code === '000000' ? '111111' : '000000';
}

test('required MFA: remind me later, enroll by QR, log in with a code, reset and enroll again', async ({ page, request }) => {
  // The admin requires MFA for the user with a 7-day period (admin API).
  const admin = await adminWithMfa(request);
  const required = await admin.requireMfa(USER, 7);
  expect(required.mfa).toEqual({ status: 'enrollment_period', days_left: 7 });

  // The user logs in, sees the days left, and dismisses.
  await logIn(page, USER);
  await expect(page).toHaveURL(/\/enroll$/);
  await expect(page.getByText('You have 7 days left to set it up.')).toBeVisible();
  await page.getByRole('button', { name: 'Remind me later — 7 days left' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Ivan Ilic' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: '7 days left' })).toBeVisible();
  await logOut(page);

  // Two days later the user logs in again and continues.
  await advance(request, 2 * 86400);
  await logIn(page, USER);
  await expect(page.getByRole('button', { name: 'Remind me later — 5 days left' })).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Add Portcullis to your authenticator app' })).toBeVisible();

  // Read the QR code off the rendered page and check every field.
  const uri = new URL(await readQr(page));
  expect(uri.protocol).toBe('otpauth:');
  expect(uri.host).toBe('totp');
  expect(decodeURIComponent(uri.pathname)).toBe(`/Portcullis:${USER}`);
  const secret = uri.searchParams.get('secret')!;
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  expect(uri.searchParams.get('issuer')).toBe('Portcullis');
  expect(uri.searchParams.get('algorithm')).toBe('SHA1');
  expect(uri.searchParams.get('digits')).toBe('6');
  expect(uri.searchParams.get('period')).toBe('30');
  // the key shown as text is the same, in groups of four
  await expect(page.locator('code.key')).toHaveText(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  expect(await shownKey(page)).toBe(secret);
  const app = new Authenticator(request, secret);

  // A wrong first code is refused, then a code computed here completes setup.
  const field = page.getByLabel('Code from the app');
  await expect(field).toHaveAttribute('inputmode', 'numeric');
  await expect(field).toHaveAttribute('autocomplete', 'one-time-code');
  const good = await app.code();
  await field.fill(otherThan(good));
  await page.getByRole('button', { name: 'Verify and finish' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not correct' })).toBeVisible();
  // pasted with a space in the middle, as apps often show it
  await field.fill(`${good.slice(0, 3)} ${good.slice(3)}`);
  await page.getByRole('button', { name: 'Verify and finish' }).click();
  await expect(page.getByRole('heading', { name: 'MFA setup is complete' })).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Ivan Ilic' })).toBeVisible();
  await logOut(page);

  // Log in with a code (of the next step: the last one was just used).
  await logIn(page, USER);
  await expect(page).toHaveURL(/\/login\/mfa$/);
  const codeField = page.getByLabel('Authentication code');
  const current = await app.code();
  await codeField.fill(otherThan(current));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'That code is not correct. Enter the current code from your authenticator app.',
  );
  await codeField.fill('12345');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('The code has exactly 6 digits.')).toBeVisible();
  await codeField.fill(current);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Ivan Ilic' })).toBeVisible();

  // Reset Authenticator App: needs a current code, then straight into a new enrollment.
  await chooseInMenu(page, 'Security');
  const appRow = page.getByRole('list', { name: 'Your sign-in methods' }).getByRole('listitem').filter({ hasText: 'Authenticator app' });
  await expect(appRow).toBeVisible();
  await appRow.getByRole('button', { name: 'Actions for the authenticator app' }).click();
  await appRow.getByRole('button', { name: 'Reset authenticator app…' }).click();
  await page.getByLabel('Current code from your app').fill(await app.code());
  await page.getByRole('button', { name: 'Reset and set up a new app' }).click();
  await expect(page.getByRole('heading', { name: 'Set up multi-factor authentication' })).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  const second = new URL(await readQr(page));
  const newApp = new Authenticator(request, second.searchParams.get('secret')!);
  expect(newApp.secret).not.toBe(secret);
  // The server remembers used steps per app: the new app's first code is
  // good in the very step whose code of the old app did the reset.
  await page.getByLabel('Code from the app').fill(await newApp.code());
  expect(newApp.step).toBe(app.step);
  await page.getByRole('button', { name: 'Verify and finish' }).click();
  await expect(page.getByRole('heading', { name: 'MFA setup is complete' })).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/security$/);
  await expect(appRow).toBeVisible();

  // A code of the new app works once; the old app's codes no longer work.
  await logOut(page);
  await logIn(page, USER);
  await page.getByLabel('Authentication code').fill(newApp.lastCode());
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toContainText('already been used');
  await page.getByLabel('Authentication code').fill(await app.code());
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toContainText('not correct');
  await page.getByLabel('Authentication code').fill(await newApp.code());
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Ivan Ilic' })).toBeVisible();
});

test('an expired enrollment period locks the user out with a clear message', async ({ page }) => {
  await logIn(page, 'erin@example.com');
  await expect(page.getByRole('alert')).toContainText('Contact your administrator');
  await expect(page).toHaveURL(/\/login$/);
  expect((await page.request.get('/api/v1/me')).status()).toBe(401);
});

test('required with no period: enrollment cannot be dismissed', async ({ page }) => {
  await logIn(page, 'heidi@example.com');
  await expect(page).toHaveURL(/\/enroll$/);
  await expect(page.getByText('Set it up now.')).toBeVisible();
  await expect(page.getByRole('button', { name: /Remind me later/ })).toHaveCount(0);
  // the portal stays closed until MFA is set up
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
});
