import { test, expect, Page } from '@playwright/test';
import { Authenticator, chooseInMenu, codesShown, expectAccessible, logIn, logInAsAdmin, methodCards, shownKey } from './fixtures';

// axe-core over every screen, in the light and the dark scheme (each state
// checked in both, `expectAccessible`): labels, roles, contrast, landmarks.

test('login, before the app runs and with an error shown', async ({ page }) => {
  // The served page's static login card, as painted before the wasm.
  await page.route('**/*.wasm', (route) => route.abort());
  await page.goto('/login');
  await expect(page.locator('#boot')).toBeVisible();
  await expectAccessible(page, 'static login card');
  await page.unroute('**/*.wasm');

  await page.goto('/login');
  await expect(page.locator('#boot')).toHaveCount(0);
  await expectAccessible(page, 'login');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText('Enter your email address.')).toBeVisible();
  await expectAccessible(page, 'login with errors');
});

test('MFA prompt', async ({ page }) => {
  await logIn(page, 'bob@example.com');
  await expect(page.getByLabel('Authentication code')).toBeFocused();
  await expectAccessible(page, 'mfa prompt');
});

test('enrollment chooser, each step, and the locked-out card', async ({ page }) => {
  await logIn(page, 'carol@example.com');
  await expect(page.getByRole('button', { name: /Remind me later/ })).toBeVisible();
  await expectAccessible(page, 'enrollment chooser');
  await methodCards(page).getByRole('link', { name: /^Authenticator app/ }).click();
  await expect(page.locator('code.key')).toBeVisible();
  await expectAccessible(page, 'enrollment QR step');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByLabel('Code from the app')).toBeVisible();
  await expectAccessible(page, 'enrollment code step');
  for (const card of [/^Security key/, /^Passkey/, /^Protect push/]) {
    await page.goto('/enroll');
    await methodCards(page).getByRole('link', { name: card }).click();
    await expect(page.locator('.step-count')).toHaveText('Step 1 of 2');
    await expectAccessible(page, `enrollment step of ${card}`);
  }
  await logIn(page, 'erin@example.com');
  await expect(page.getByRole('heading', { name: 'You can’t sign in right now' })).toBeVisible();
  await expectAccessible(page, 'locked-out card');
});

test('enrollment complete, security with an app, its reset form', async ({ page, request }) => {
  // Dave (required, in a period). The test ends by resetting his new app:
  // push.spec.ts finds him without one (required still: the login leads
  // to enrollment).
  await logIn(page, 'dave@example.com');
  await expect(page).toHaveURL(/\/enroll$/);
  await methodCards(page).getByRole('link', { name: /^Authenticator app/ }).click();
  const app = new Authenticator(request, await shownKey(page));
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Code from the app').fill(await app.code());
  await page.getByRole('button', { name: 'Verify and finish' }).click();
  await expect(page.getByRole('heading', { name: 'Save your recovery codes' })).toBeVisible();
  await codesShown(page);
  await expectAccessible(page, 'enrollment: recovery codes');
  await page.getByLabel('I’ve saved my recovery codes').check();
  await expectAccessible(page, 'enrollment: recovery codes saved');

  await page.getByRole('button', { name: 'Continue' }).click();
  await chooseInMenu(page, 'Security');
  const appRow = page.getByRole('listitem').filter({ hasText: 'Authenticator app' });
  await expect(appRow).toBeVisible();
  await expectAccessible(page, 'security with an app');
  await appRow.getByRole('button', { name: 'Actions for the authenticator app' }).click();
  await appRow.getByRole('button', { name: 'Reset authenticator app…' }).click();
  await expect(page.getByLabel('Current code from your app')).toBeFocused();
  await expectAccessible(page, 'reset form');
  // with the field's problem shown
  await page.getByRole('button', { name: 'Reset and set up a new app' }).click();
  await expect(page.getByText('Enter the 6-digit code')).toBeVisible();
  await expectAccessible(page, 'reset form with an error');

  await page.getByLabel('Current code from your app').fill(await app.code());
  await page.getByRole('button', { name: 'Reset and set up a new app' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Replace your authenticator app' })).toBeVisible();
});

test('home, its menu, security, refused admin, not found, error', async ({ page }) => {
  await logIn(page, 'alice@example.com');
  await expect(page.getByRole('heading', { name: 'Welcome, Alice Anders' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Multi-factor authentication' })).toBeVisible();
  await expectAccessible(page, 'home');
  await page.getByRole('navigation', { name: 'Account' }).locator('button[aria-expanded]').click();
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
  await expectAccessible(page, 'home with the menu open');
  await chooseInMenu(page, 'Security');
  await expect(page.getByRole('heading', { name: 'Sign-in methods' })).toBeVisible();
  await expectAccessible(page, 'security');
  await page.goto('/admin/users');
  await expect(page.getByRole('heading', { name: 'Administrators only' })).toBeVisible();
  await expectAccessible(page, 'admin refused');
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expectAccessible(page, 'not found');
  await page.route('**/api/v1/mfa', (route) =>
    route.fulfill({ status: 500, json: { code: 'internal_error', message: 'Something broke on our side.' } }),
  );
  await page.goto('/security');
  await expect(page.getByRole('heading', { name: 'Something went wrong' })).toBeVisible();
  await expectAccessible(page, 'error page');
});

test('administration: users', async ({ page, request }) => {
  await logInAsAdmin(page, request);
  await page.goto('/admin/users');
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'alice@example.com' })).toBeVisible();
  await expectAccessible(page, 'admin users');
});

test('administration: users filtered, a status’s details, a bulk confirmation', async ({ page, request }) => {
  // Opened from its address (a bookmark): the filter comes from the URL.
  await logInAsAdmin(page, request);
  await page.goto('/admin/users?status=enrollment_period&sort=deadline');
  await expect(page.getByLabel('MFA status')).toHaveValue('enrollment_period');
  const carol = page.locator('table.users tbody tr').filter({ hasText: 'carol@example.com' });
  await expect(carol).toContainText(/Required, \d+ days? left/);
  await expect(page.getByRole('columnheader', { name: 'Enrollment deadline' })).toHaveAttribute('aria-sort', 'ascending');
  await expectAccessible(page, 'admin users filtered');
  await carol.getByRole('button', { name: /Required/ }).focus();
  await expect(carol.getByRole('tooltip')).toBeVisible();
  await expectAccessible(page, 'admin users with a status’s details');

  // The confirmation only previews: nothing changes.
  await page.getByRole('checkbox', { name: 'Select Carol Chen' }).check();
  await page.getByRole('region', { name: 'Selected users' }).getByRole('button', { name: 'Require MFA', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Confirm: Require MFA' })).toBeFocused();
  await expectAccessible(page, 'admin users bulk confirmation');
  // with the days field's problem shown
  await page.getByLabel('Days to set up MFA (1–365)').fill('366');
  await page.getByRole('button', { name: 'Require MFA for 1 user' }).click();
  await expect(page.getByText('Enter a whole number of days from 1 to 365.')).toBeVisible();
  await expectAccessible(page, 'admin users bulk form with an error');
  await page.getByRole('button', { name: 'Cancel' }).click();
});

test('administration: a user’s details, MFA settings, the event log', async ({ page, request }) => {
  await logInAsAdmin(page, request);
  await page.goto('/admin/users?search=carol');
  await page.getByRole('link', { name: 'Carol Chen' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Carol Chen' })).toBeVisible();
  await expect(page.getByText(/MFA status: Required/)).toBeVisible();
  await expectAccessible(page, 'admin user details');
  // a confirmation open (it changes nothing until confirmed)
  await page.getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('button', { name: 'Reset MFA…' }).click();
  await expect(page.getByRole('heading', { name: 'Confirm' })).toBeFocused();
  await expectAccessible(page, 'admin user details with a confirmation');
  await page.getByRole('button', { name: 'Cancel' }).click();

  await page.goto('/admin/mfa');
  await expect(page.getByRole('heading', { level: 1, name: 'MFA settings' })).toBeVisible();
  await expect(page.getByLabel('Days to set up MFA (1–365)').first()).toHaveValue(/\d+/);
  await expectAccessible(page, 'admin MFA settings');

  await page.goto('/admin/events');
  await expect(page.locator('.result-count')).toHaveText(/events? shown/);
  await expectAccessible(page, 'admin events');
  await page.goto('/admin/events?kind=login_failed&outcome=failure');
  await expect(page.getByLabel('Kind of event')).toHaveValue('login_failed');
  await expect(page.locator('.result-count')).toHaveText(/(events? shown|No events match)/);
  await expectAccessible(page, 'admin events filtered');
});

