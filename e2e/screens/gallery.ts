import { test, expect, Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { adminWithMfa, logIn, logInAsAdmin, newUser, signedInWithApp, suspendedUser } from '../fixtures';

// Every screen, as a desktop (1280 px) and a phone (390 px) show it, in the
// light and the dark scheme: docs/screens/<screen>-<device>-<scheme>.png.
// The accounts are the demo org's and three of the gallery's own, in a
// fresh database. The README shows four of the pictures, which are kept in
// the repository (.gitignore: the rest are written, not committed).

const OUT = resolve(__dirname, '../../docs/screens');
const DEVICES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

async function shoot(page: Page, screen: string) {
  mkdirSync(OUT, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const [device, size] of Object.entries(DEVICES)) {
      await page.setViewportSize(size);
      // nothing half-drawn: loading outlines gone, fonts and layout settled
      await expect(page.getByText(/^Loading/)).toHaveCount(0);
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: join(OUT, `${screen}-${device}-${colorScheme}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
    }
  }
  await page.setViewportSize(DEVICES.desktop);
}

test('the gallery', async ({ page, request }) => {
  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  await shoot(page, 'login');

  // An account with an app, signed in: home and Security; then its MFA
  // prompt at the next login.
  const admin = await adminWithMfa(request);
  const withApp = 'sam@example.com';
  await signedInWithApp(admin, page, withApp);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await shoot(page, 'home');
  await page.goto('/security');
  await expect(page.getByRole('heading', { name: 'Sign-in methods' })).toBeVisible();
  await shoot(page, 'security');
  await page.getByRole('button', { name: 'Add a sign-in method' }).click();
  await expect(page.getByRole('group', { name: 'Choose a sign-in method' })).toBeVisible();
  await shoot(page, 'security-add');
  await page.context().clearCookies();
  await logIn(page, withApp);
  await expect(page.getByLabel('Authentication code')).toBeVisible();
  await shoot(page, 'mfa-prompt');

  // Enrollment, of an account with nothing yet.
  await page.context().clearCookies();
  await newUser(admin, page.request, 'tara@example.com');
  await page.goto('/enroll');
  const methods = page.getByRole('list', { name: 'Sign-in methods' });
  await expect(methods).toBeVisible();
  await shoot(page, 'enroll-chooser');
  await methods.getByRole('link', { name: /^Authenticator app/ }).click();
  await expect(page.locator('code.key')).toBeVisible();
  await shoot(page, 'enroll-app');

  // A suspended account's login.
  await suspendedUser(admin, page, 'uma@example.com');
  await logIn(page, 'uma@example.com');
  await expect(page.getByRole('heading', { name: 'You can’t sign in right now' })).toBeVisible();
  await shoot(page, 'locked-out');

  // The admin area.
  await page.context().clearCookies();
  await logInAsAdmin(page, request);
  for (const [path, heading, name] of [
    ['/admin/users', 'Users', 'admin-users'],
    ['/admin/events', 'Events', 'admin-events'],
    ['/admin/mfa', 'MFA settings', 'admin-mfa-settings'],
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
    await shoot(page, name);
  }
  await page.goto('/admin/users');
  await page.getByRole('link', { name: 'Grace Gold' }).click();
  await expect(page.getByRole('heading', { name: 'Grace Gold', level: 1 })).toBeVisible();
  await shoot(page, 'admin-user');
});
