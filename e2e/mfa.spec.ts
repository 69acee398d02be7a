import { test, expect, Page, APIRequestContext } from '@playwright/test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { totp } from './totp';

const PASSWORD = 'e2e-demo-password';
const USER = 'ivan@example.com';
const CSRF = { 'x-portcullis-csrf': '1' };

// The server runs with --fake-clock: time moves only when we say so.
async function serverNow(api: APIRequestContext): Promise<number> {
  const r = await api.get('/api/test/clock');
  return (await r.json()).now;
}
async function advance(api: APIRequestContext, seconds: number): Promise<number> {
  const r = await api.post('/api/test/clock', { data: { seconds } });
  return (await r.json()).now;
}

async function logIn(page: Page, email: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
}

async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

async function readQr(page: Page): Promise<string> {
  const png = PNG.sync.read(await page.locator('.qr').screenshot());
  const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(found, 'a QR code on the page').not.toBeNull();
  return found!.data;
}

test('required MFA: remind me later, enrol by QR, log in with a code, reset and enrol again', async ({ page, request }) => {
  // The admin requires MFA for the user with a 7-day period (admin API).
  const login = await request.post('/api/v1/login', {
    headers: CSRF,
    data: { email: 'admin@example.com', password: PASSWORD },
  });
  expect((await login.json()).next).toBe('done');
  const list = await (await request.get(`/api/v1/admin/users?search=${USER}`)).json();
  const id = list.users[0].id;
  const required = await request.post(`/api/v1/admin/users/${id}/require-mfa`, {
    headers: CSRF,
    data: { period_days: 7 },
  });
  expect(required.status()).toBe(200);

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
  const shown = await page.getByLabel('Secret key').textContent();
  expect(shown).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  expect(shown!.replace(/ /g, '')).toBe(secret);

  // A wrong first code is refused, then a code computed here completes setup.
  const field = page.getByLabel('Code from the app');
  await expect(field).toHaveAttribute('inputmode', 'numeric');
  await expect(field).toHaveAttribute('autocomplete', 'one-time-code');
  let now = await serverNow(request);
  const good = totp(secret, now);
  await field.fill(good === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify and finish' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not correct' })).toBeVisible();
  // pasted with a space in the middle, as apps often show it
  await field.fill(`${good.slice(0, 3)} ${good.slice(3)}`);
  await page.getByRole('button', { name: 'Verify and finish' }).click();
  await expect(page.getByRole('heading', { name: 'MFA setup is complete' })).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Ivan Ilic' })).toBeVisible();
  await logOut(page);

  // Log in with a code.
  now = await advance(request, 30);
  await logIn(page, USER);
  await expect(page).toHaveURL(/\/login\/mfa$/);
  const codeField = page.getByLabel('Authentication code');
  const current = totp(secret, now);
  await codeField.fill(current === '000000' ? '111111' : '000000');
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

  // Reset Authenticator App: needs a current code, then straight into a new enrolment.
  await page.getByRole('link', { name: 'Security settings' }).click();
  await expect(page.getByRole('heading', { name: 'Authenticator App' })).toBeVisible();
  await expect(page.getByText('Active')).toBeVisible();
  await page.getByRole('button', { name: 'Reset Authenticator App' }).click();
  now = await advance(request, 30);
  await page.getByLabel('Current code from your app').fill(totp(secret, now));
  await page.getByRole('button', { name: 'Reset and set up a new app' }).click();
  await expect(page.getByRole('heading', { name: 'Set up multi-factor authentication' })).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  const second = new URL(await readQr(page));
  const secret2 = second.searchParams.get('secret')!;
  expect(secret2).not.toBe(secret);
  now = await advance(request, 30);
  await page.getByLabel('Code from the app').fill(totp(secret2, now));
  await page.getByRole('button', { name: 'Verify and finish' }).click();
  await expect(page.getByRole('heading', { name: 'MFA setup is complete' })).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/security$/);
  await expect(page.getByText('Active')).toBeVisible();

  // The old app's codes no longer work; the new one's do.
  await logOut(page);
  now = await advance(request, 30);
  await logIn(page, USER);
  await page.getByLabel('Authentication code').fill(totp(secret, now));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toContainText('not correct');
  await page.getByLabel('Authentication code').fill(totp(secret2, now));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Ivan Ilic' })).toBeVisible();
});

test('an expired enrolment period locks the user out with a clear message', async ({ page }) => {
  await logIn(page, 'erin@example.com');
  await expect(page.getByRole('alert')).toContainText('Contact your administrator');
  await expect(page).toHaveURL(/\/login$/);
  expect((await page.request.get('/api/v1/me')).status()).toBe(401);
});

test('required with no period: enrolment cannot be dismissed', async ({ page }) => {
  await logIn(page, 'heidi@example.com');
  await expect(page).toHaveURL(/\/enroll$/);
  await expect(page.getByText('Set it up now.')).toBeVisible();
  await expect(page.getByRole('button', { name: /Remind me later/ })).toHaveCount(0);
  // the portal stays closed until MFA is set up
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
});
