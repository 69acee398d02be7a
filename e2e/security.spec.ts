import { test, expect, Page } from '@playwright/test';
import { adminWithMfa, advance, chooseInMenu, CSRF, enrollApp, expectAccessible, logIn, logOut, PASSWORD, removeApp, serverNow, setUpApp, STEP, tabTo, toast } from './fixtures';
import { totp } from './totp';

// The Security page: recovery codes, re-authentication, sessions, trusted
// browsers. Judy (MFA neither required nor set up) sets up an app here and
// each test leaves her without it again (resetting the only app removes
// her codes and trusted browsers too), as webauthn.spec.ts expects.
const USER = 'judy@example.com';

// Each test logs Judy in many times; successful logins are limited per
// account (20 in 5 minutes), so each starts in a new window.
test.beforeEach(async ({ request }) => {
  await advance(request, 5 * 60);
});

const codesSection = (page: Page) => page.getByRole('group', { name: 'Recovery codes' });

async function shownCodes(page: Page): Promise<string[]> {
  const codes = await page.locator('ol.codes li').allTextContents();
  expect(codes).toHaveLength(10);
  for (const c of codes) expect(c).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  return codes;
}

test('recovery codes: offered after setup, each signs in once, the count drops; a phone clock that is fast is named', async ({ page, request }) => {
  await logIn(page, USER);
  await expect(page).toHaveURL(/\/$/);
  // The enrollment's last step makes them (a step of its own: wizard.spec.ts).
  await page.goto('/enroll');
  const { app, codes } = await enrollApp(page, request);
  for (const c of codes) expect(c).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await chooseInMenu(page, 'Security');
  await expect(codesSection(page)).toContainText('10 of 10 left');

  // A code typed in lower case without its dashes still works, once.
  await logOut(page);
  await logIn(page, USER);
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByRole('textbox', { name: 'Recovery code' }).fill(codes[0].replace(/-/g, '').toLowerCase());
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Judy Jones' })).toBeVisible();
  await chooseInMenu(page, 'Security');
  await expect(codesSection(page)).toContainText('9 of 10 left');
  await logOut(page);
  await logIn(page, USER);
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByRole('textbox', { name: 'Recovery code' }).fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toContainText('used');

  // The phone's clock 2 minutes fast: refused, and the message says so.
  await page.getByRole('button', { name: 'Use your authenticator app instead' }).click();
  const now = await serverNow(request);
  await page.getByLabel('Authentication code').fill(totp(app.secret, now + 4 * STEP));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toContainText(/clock/i);
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByRole('textbox', { name: 'Recovery code' }).fill(codes[1]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Judy Jones' })).toBeVisible();

  await removeApp(page, app);
});

test('after ten minutes a change asks for a fresh code in place, then carries on; the old codes stop working', async ({ page, request }) => {
  await logIn(page, USER);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/enroll');
  const { app, codes: old } = await enrollApp(page, request);

  await advance(request, 11 * 60);
  await page.goto('/security');
  // By keyboard: to the button, the confirmation, the code, on.
  await tabTo(page, codesSection(page).getByRole('button', { name: 'Make new codes…' }));
  await page.keyboard.press('Enter');
  await expect(codesSection(page)).toContainText('replace all your current ones');
  await codesSection(page).getByRole('button', { name: 'Make new codes', exact: true }).focus();
  await page.keyboard.press('Enter');
  const field = codesSection(page).getByLabel('Code from your authenticator app');
  await expect(field).toBeFocused();
  await field.fill(await app.code());
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeFocused();
  const fresh = await shownCodes(page);
  expect(fresh).not.toContain(old[0]);
  await expectAccessible(page, 'new codes on show');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download as text' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('portcullis-recovery-codes.txt');
  const text = await (await import('node:fs/promises')).readFile((await file.path())!, 'utf8');
  for (const c of fresh) expect(text).toContain(c);
  await page.getByRole('button', { name: 'I have saved them' }).click();

  await logOut(page);
  await logIn(page, USER);
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByRole('textbox', { name: 'Recovery code' }).fill(old[2]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).not.toBeEmpty();
  await expect(page).toHaveURL(/\/login\/mfa$/);
  await page.getByRole('textbox', { name: 'Recovery code' }).fill(fresh[2]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Judy Jones' })).toBeVisible();
  await removeApp(page, app);
});

test('after a factor is added the page offers to end the other sessions; one is ended, and is signed out', async ({ page, browser, request }) => {
  await logIn(page, USER);
  await expect(page).toHaveURL(/\/$/);
  const app = await setUpApp(page, request);
  // A second browser (Firefox on a Mac, by its user agent), signed in too.
  const other = await browser.newContext({
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0',
  });
  const otherPage = await other.newPage();
  await logIn(otherPage, USER);
  await otherPage.getByLabel('Authentication code').fill(await app.code());
  await otherPage.getByRole('button', { name: 'Verify' }).click();
  await expect(otherPage.getByRole('heading', { name: 'Welcome, Judy Jones' })).toBeVisible();

  await page.goto('/security');
  const sessions = page.getByRole('group', { name: 'Where you’re signed in' });
  await expect(sessions.getByRole('listitem').filter({ hasText: 'This browser' })).toHaveCount(1);
  await expect(sessions).toContainText('127.0.0.1');
  await expectAccessible(page, 'security page, several sessions');

  // A factor added: the page offers to sign out the other sessions.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  await expect(sessions.getByText('Your sign-in factors changed')).toHaveCount(0);
  await page.getByRole('button', { name: 'Add a sign-in method' }).click();
  await page.getByRole('button', { name: /^Security key/ }).click();
  await page.getByLabel('Name of the new key').fill('Desk key');
  await page.getByRole('button', { name: 'Add a security key' }).click();
  await expect(toast(page)).toHaveText('Security key “Desk key” added.');
  await expect(sessions.getByText('Your sign-in factors changed')).toBeVisible();

  await sessions.getByRole('button', { name: /^Sign out Firefox on macOS/ }).click();
  await expect(toast(page)).toContainText('Signed out Firefox on macOS');
  await expect(sessions.getByRole('list')).not.toContainText('Firefox on macOS');
  await otherPage.goto('/security');
  await expect(otherPage).toHaveURL(/\/login\?next=%2Fsecurity$/);
  await other.close();
  // Every other session (earlier logins of this spec) in one go.
  await sessions.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await expect(toast(page)).toContainText(/Signed out of|no other session/);
  await expect(sessions.getByRole('listitem')).toHaveCount(1);
  await expect(sessions.getByText('Your sign-in factors changed')).toHaveCount(0);
  for (const k of (await (await page.request.get('/api/v1/webauthn/credentials')).json()) as { id: string }[]) {
    const d = await page.request.delete(`/api/v1/webauthn/credentials/${encodeURIComponent(k.id)}`, { headers: CSRF });
    expect(d.status()).toBe(204);
  }
  await removeApp(page, app);
});

test('trust this browser: no code at the next login, until it is forgotten', async ({ page, request }) => {
  const admin = await adminWithMfa(request);
  await admin.ok(admin.request.patch('/api/v1/admin/settings', { headers: CSRF, data: { trusted_browser_days: 30 } }));
  try {
    await logIn(page, USER);
    await expect(page).toHaveURL(/\/$/);
    const app = await setUpApp(page, request);
    await logOut(page);
    await logIn(page, USER);
    const trust = page.getByLabel('Don’t ask again on this browser for 30 days');
    await trust.check();
    await expectAccessible(page, 'MFA prompt with the trust choice');
    await page.getByLabel('Authentication code').fill(await app.code());
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByRole('heading', { name: 'Welcome, Judy Jones' })).toBeVisible();

    // The password still, the code no more.
    await logOut(page);
    await logIn(page, USER);
    await expect(page.getByRole('heading', { name: 'Welcome, Judy Jones' })).toBeVisible();
    await chooseInMenu(page, 'Security');
    const trusted = page.getByRole('group', { name: 'Trusted browsers' });
    await expect(trusted.getByRole('listitem')).toHaveCount(1);
    await expect(trusted.getByRole('listitem')).toContainText('This browser');
    await trusted.getByRole('listitem').getByRole('button', { name: /^Forget / }).click();
    await expect(toast(page)).toContainText('no longer trusted');

    await logOut(page);
    await logIn(page, USER);
    await expect(page).toHaveURL(/\/login\/mfa$/);
    await page.getByLabel('Authentication code').fill(await app.code());
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByRole('heading', { name: 'Welcome, Judy Jones' })).toBeVisible();
    await removeApp(page, app);
  } finally {
    await admin.ok(admin.request.patch('/api/v1/admin/settings', { headers: CSRF, data: { trusted_browser_days: null } }));
  }
});

test('changing the password signs the other sessions out; only the new one signs in', async ({ page, browser }) => {
  await logIn(page, USER);
  await expect(page).toHaveURL(/\/$/);
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await logIn(otherPage, USER);
  await expect(otherPage).toHaveURL(/\/$/);

  await page.goto('/security');
  const section = page.getByRole('group', { name: 'Password' });
  // Wrong current password, then too short a new one: said in words.
  await section.getByLabel('Current password').fill('not the password');
  await section.getByLabel('New password').fill('a new passphrase for me');
  await section.getByRole('button', { name: 'Change password' }).click();
  await expect(section.getByRole('alert')).toHaveText('The current password is wrong.');
  await section.getByLabel('Current password').fill(PASSWORD);
  await section.getByLabel('New password').fill('short');
  // The meter has the server's verdict before anything is sent.
  await expect(section.locator('.password-meter')).toContainText('Not accepted yet');
  await expect(section.locator('.password-meter')).toContainText('Use at least 15 characters (5 now)');
  await section.getByRole('button', { name: 'Change password' }).click();
  await expect(section.getByRole('alert')).toContainText('Use at least 15 characters (5 now)');
  // A common password is refused, in words, however long.
  await section.getByLabel('New password').fill('1q2w3e4r5t6y7u8i9o0p');
  await section.getByRole('button', { name: 'Change password' }).click();
  await expect(section.getByRole('alert')).toContainText('among the most common ones');
  // By keyboard: Enter in the field submits.
  await section.getByLabel('New password').fill('a new passphrase for me');
  await section.getByLabel('New password').press('Enter');
  // The other browser's session, and those earlier specs left.
  await expect(section.getByRole('status')).toHaveText(
    /^Your password was changed, and \d+ other sessions? (was|were) signed out\.$/,
  );
  await expectAccessible(page, 'security page, password changed');

  await otherPage.goto('/security');
  await expect(otherPage).toHaveURL(/\/login\?next=%2Fsecurity$/);
  await logIn(otherPage, USER);
  await expect(otherPage.getByRole('alert').filter({ hasText: 'incorrect' })).toHaveText('The email or password is incorrect.');
  await logIn(otherPage, USER, 'a new passphrase for me');
  await expect(otherPage).toHaveURL(/\/$/);
  await other.close();

  // Back to the demo's password, for the other specs.
  await section.getByLabel('Current password').fill('a new passphrase for me');
  await section.getByLabel('New password').fill(PASSWORD);
  await section.getByRole('button', { name: 'Change password' }).click();
  await expect(section.getByRole('status')).toContainText('Your password was changed');
});
