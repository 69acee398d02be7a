import { test, expect, Page } from '@playwright/test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { ADMIN, adminApp, adminWithMfa, advance, Authenticator, chooseInMenu, CSRF, expectAccessible, logIn, logOut, methodCards, newUser, shownKey, submitLogin, uniqueEmail } from './fixtures';

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
  await methodCards(page).getByRole('link', { name: /^Authenticator app/ }).click();
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
  await page.getByRole('button', { name: 'Next' }).click();

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
  // The recovery codes, the wizard's last step.
  await expect(page.getByRole('heading', { name: 'Save your recovery codes' })).toBeVisible();
  await page.getByLabel('I’ve saved my recovery codes').check();
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
  // Straight to the new app's steps: no chooser after a reset.
  await expect(page.getByRole('heading', { level: 1, name: 'Replace your authenticator app' })).toBeVisible();
  await expect(methodCards(page)).toHaveCount(0);
  const second = new URL(await readQr(page));
  await page.getByRole('button', { name: 'Next' }).click();
  const newApp = new Authenticator(request, second.searchParams.get('secret')!);
  expect(newApp.secret).not.toBe(secret);
  // The server remembers used steps per app: the new app's first code is
  // good in the very step whose code of the old app did the reset.
  await page.getByLabel('Code from the app').fill(await newApp.code());
  expect(newApp.step).toBe(app.step);
  await page.getByRole('button', { name: 'Verify and finish' }).click();
  // (the reset took the recovery codes with the app: new ones, saved)
  await expect(page.getByRole('heading', { name: 'Save your recovery codes' })).toBeVisible();
  await page.getByLabel('I’ve saved my recovery codes').check();
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

test('an expired enrollment period locks the user out: a calm card of its own says why and whom to contact', async ({ page }) => {
  await logIn(page, 'erin@example.com');
  const card = page.getByRole('region', { name: 'You can’t sign in right now' });
  await expect(card).toBeVisible();
  await expect(card.getByRole('heading', { level: 1 })).toBeFocused();
  // the server's words: what happened, and whom to contact
  await expect(card).toContainText('Your time to set up multi-factor authentication has run out');
  await expect(card).toContainText('Contact your administrator');
  await expect(card.locator('.locked-icon svg')).toBeVisible();
  // a card, not a red error beside a form that cannot help
  await expect(page.locator('.form-error')).toHaveCount(0);
  await expect(page.getByLabel('Password')).toHaveCount(0);
  expect((await page.request.get('/api/v1/me')).status()).toBe(401);
  await card.getByRole('link', { name: 'Back to log in' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel('Email')).toBeVisible();
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

test('the prompt names the account, lists the other ways with their icons, and “Not you?” starts the login again, empty', async ({ page, request }) => {
  // An account of its own with an app (other specs reset the demo users').
  const admin = await adminWithMfa(request);
  const email = uniqueEmail('prompt');
  await newUser(admin, page.request, email, { app: true });
  await page.request.post('/api/v1/logout', { headers: CSRF });
  await logIn(page, email);
  await expect(page).toHaveURL(/\/login\/mfa$/);
  const escaped = email.replace(/[.+]/g, (c) => `\\${c}`);
  await expect(page.locator('.account-line')).toHaveText(new RegExp(`Signing in as ${escaped}\\s*Not you\\?`));
  const ways = page.getByRole('list', { name: 'Other ways to verify' });
  await expect(ways.getByRole('button', { name: 'Use a code from your helpdesk' })).toBeVisible();
  const count = await ways.getByRole('listitem').count();
  expect(count).toBeGreaterThan(0);
  await expect(ways.locator('li .icon svg')).toHaveCount(count);
  // The account line and the list fit a small phone (layout.spec.ts checks
  // the prompt at every width too).
  for (const width of [320, 390]) {
    await page.setViewportSize({ width, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  // Choosing another way moves the one shown into the list.
  await ways.getByRole('button', { name: 'Use a code from your helpdesk' }).click();
  await expect(ways.getByRole('button', { name: 'Use your authenticator app instead' })).toBeVisible();

  await page.getByRole('button', { name: 'Not you?' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel('Email')).toHaveValue('');
  await expect(page.getByLabel('Password')).toHaveValue('');
  // The half-done login is over on the server too.
  expect((await page.request.get('/api/v1/mfa')).status()).toBe(401);
});

test('a throttled code counts down each second, said at its start and end, and Verify comes back at 0', async ({ page, request }) => {
  const admin = await adminWithMfa(request);
  const email = uniqueEmail('wait');
  const app = (await newUser(admin, page.request, email, { app: true }))!;
  await page.request.post('/api/v1/logout', { headers: CSRF });
  await admin.settings({ trusted_browser_days: 30 });
  try {
    // The browser's clock is Playwright's: the countdown moves only when the test says.
    await page.clock.install();
    await logIn(page, email);
    await expect(page).toHaveURL(/\/login\/mfa$/);
    const field = page.getByLabel('Authentication code');
    const verify = page.getByRole('button', { name: 'Verify' });
    // "Don't ask again" sits above the button it goes with.
    const trust = page.getByLabel('Don’t ask again on this browser for 30 days');
    const above = await trust.evaluate((box, button) =>
      !!(box.compareDocumentPosition(button!) & Node.DOCUMENT_POSITION_FOLLOWING), await verify.elementHandle());
    expect(above).toBe(true);

    const good = await app.code();
    const wrong = good === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) {
      await field.fill(wrong);
      await verify.click();
      await expect(page.getByRole('alert')).toContainText('not correct');
    }
    await field.fill(wrong);
    await verify.click();
    const shown = page.locator('.form-error.wait');
    await expect(shown).toHaveText(/^Too many attempts\. Try again in (30|29|28) s\.$/);
    await expect(verify).toBeDisabled();
    const said = page.locator('.visually-hidden[aria-live="polite"]').filter({ hasText: /try again/i });
    await expect(said).toHaveText('Too many attempts. You can try again in 30 seconds.');
    await expectAccessible(page, 'MFA prompt with a countdown, light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectAccessible(page, 'MFA prompt with a countdown, dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Each second shows; the live region says nothing new meanwhile.
    const now = await page.evaluate(() => Date.now());
    await page.clock.pauseAt(now + 100);
    const left = Number((await shown.textContent())!.match(/in (\d+) s/)![1]);
    await page.clock.runFor(1000);
    await expect(shown).toHaveText(`Too many attempts. Try again in ${left - 1} s.`);
    await page.clock.runFor(1000);
    await expect(shown).toHaveText(`Too many attempts. Try again in ${left - 2} s.`);
    await expect(said).toHaveText('Too many attempts. You can try again in 30 seconds.');
    await expect(verify).toBeDisabled();
    await page.clock.runFor((left - 2) * 1000);
    await expect(shown).toHaveCount(0);
    await expect(verify).toBeEnabled();
    await expect(page.locator('.visually-hidden[aria-live="polite"]').filter({ hasText: 'You can try again now.' })).toHaveCount(1);

    // The server's block is over as well (its own clock): the code works.
    await advance(request, 30);
    await field.fill(await app.code());
    await verify.click();
    await expect(page.getByRole('heading', { name: /^Welcome/ })).toBeVisible();
  } finally {
    await admin.settings({ trusted_browser_days: null });
  }
});
