import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { logIn } from './fixtures';

// axe-core over every screen, in the light and the dark scheme: labels,
// roles, contrast, landmarks.

async function expectNoViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, what).toEqual([]);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${colorScheme} scheme`, () => {
    test.use({ colorScheme });

    test('login, with an error shown', async ({ page }) => {
      await page.goto('/login');
      await expect(page.getByLabel('Email')).toBeVisible();
      await expectNoViolations(page, 'login');
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect(page.getByText('Enter your email address.')).toBeVisible();
      await expectNoViolations(page, 'login with errors');
    });

    test('MFA prompt', async ({ page }) => {
      await logIn(page, 'bob@example.com');
      await expect(page.getByLabel('Authentication code')).toBeFocused();
      await expectNoViolations(page, 'mfa prompt');
    });

    test('enrollment intro and QR step', async ({ page }) => {
      await logIn(page, 'carol@example.com');
      await expect(page.getByRole('button', { name: /Remind me later/ })).toBeVisible();
      await expectNoViolations(page, 'enrollment intro');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByLabel('Code from the app')).toBeVisible();
      await expectNoViolations(page, 'enrollment QR');
    });

    test('home and security', async ({ page }) => {
      await logIn(page, 'alice@example.com');
      await expect(page.getByRole('heading', { name: 'Welcome, Alice Anders' })).toBeVisible();
      await expectNoViolations(page, 'home');
      await page.getByRole('link', { name: 'Security settings' }).click();
      await expect(page.getByRole('heading', { name: 'Authenticator App' })).toBeVisible();
      await expectNoViolations(page, 'security');
    });
  });
}
