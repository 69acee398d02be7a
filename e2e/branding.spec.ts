import { test, expect, Page, APIRequestContext } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { adminWithMfa, CSRF, logIn, logInAsAdmin, newUser, uniqueEmail } from './fixtures';

// The organisation's branding, set on the MFA settings page by the demo's
// billing administrator: the name in the header of /login (the served
// page's and the app's), the accent on its primary button, the help text
// at the foot of a signed-in page and of the MFA prompt; the Branding
// section passes axe in both schemes and fits 320 px. The branding is
// reset at the end: the specs share one database.

const NAME = 'Acme <Research> Ltd';
const ACCENT = '#0b6e4f'; // white text on it: 6.3:1
const ACCENT_RGB = 'rgb(11, 110, 79)';
const HELP = 'Locked out? Call the service desk on 0123 456 789.';

async function resetBranding(request: APIRequestContext) {
  const admin = await adminWithMfa(request);
  await admin.ok(
    request.put('/api/v1/admin/branding', { headers: CSRF, data: { org_name: '', accent: '', help_text: '' } }),
  );
}

/** Nothing in `scope` past the right edge at 320 px (what is, named in the message). */
async function noOverflowAt320(page: Page, what: string, scope = 'body') {
  await page.setViewportSize({ width: 320, height: 800 });
  const past = await page.evaluate((scope) => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll(`${scope}, ${scope} *`)]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className} ends at ${Math.round(el.getBoundingClientRect().right)}`);
  }, scope);
  expect(past, what).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 720 });
}

test('branding set by the billing administrator shows from the first paint', async ({ page, browser, request }) => {
  try {
    await logInAsAdmin(page, request);
    await page.goto('/admin/mfa');
    const section = page.locator('section.branding');
    await expect(section.getByRole('heading', { name: 'Branding' })).toBeVisible();

    await section.getByLabel(/^Organisation name/).fill(NAME);
    // too light for white text: refused in words as it is typed
    await section.getByLabel(/^Accent colour/).fill('#ffcc00');
    await expect(section.locator('#brand-accent-error')).toHaveText(
      'White text on this colour has a contrast of only 1.5:1; buttons need at least 4.5:1. Choose a darker colour.',
    );
    await section.getByLabel(/^Accent colour/).fill(ACCENT);
    await expect(section.locator('#brand-accent-error')).toHaveText('');
    // the preview draws a primary button in it
    await expect(section.locator('.brand-preview rect')).toHaveAttribute('fill', ACCENT);
    await expect(section.getByLabel('Pick the accent colour')).toHaveValue(ACCENT);
    await section.getByLabel(/^Help text/).fill(HELP);

    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const found = await new AxeBuilder({ page }).include('section.branding').analyze();
      expect(found.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), colorScheme).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await noOverflowAt320(page, 'the MFA settings with the Branding section filled in');

    await section.getByRole('button', { name: 'Save branding' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Branding saved.' })).toBeVisible();

    // A signed-in page: the help text in its footer, as text.
    await page.goto('/');
    await expect(page.locator('footer.help-footer')).toHaveText(HELP);

    // Signed out: /login has the name in its header and the accent on its button.
    const visitor = await browser.newContext();
    const login = await visitor.newPage();
    // the served page, before the app runs
    await login.route('**/*.wasm', (route) => route.abort());
    await login.goto('/login');
    await expect(login.locator('#boot .topbar .brand-name')).toHaveText(NAME);
    await expect(login.locator('#boot .button.primary')).toHaveCSS('background-color', ACCENT_RGB);
    // Measured here, where no app can replace the static header: measured
    // after a plain load, the app could take over in between and the
    // measure would be of a header already gone.
    const height = await login.locator('#boot .topbar').boundingBox().then((b) => b?.height);
    expect(height).toBeGreaterThan(0);
    await login.unroute('**/*.wasm');
    // and once the app has taken over, with the header's height unchanged
    await login.goto('/login');
    await expect(login.locator('#boot')).toHaveCount(0);
    await expect(login.locator('.topbar .brand-name')).toHaveText(NAME);
    await expect(login.locator('.topbar .brand')).toHaveAccessibleName(NAME);
    await expect.poll(() => login.locator('.topbar').boundingBox().then((b) => b?.height)).toBe(height);
    await expect(login.getByRole('button', { name: 'Log in' })).toHaveCSS('background-color', ACCENT_RGB);
    await noOverflowAt320(login, '/login with a name');

    // The MFA prompt: the help text at its foot (an account of the test's
    // own with an app, so that the prompt comes whatever ran before).
    const email = uniqueEmail('brand');
    await newUser(await adminWithMfa(request), visitor.request, email, { app: true });
    await visitor.clearCookies();
    await logIn(login, email);
    await expect(login).toHaveURL(/\/login\/mfa$/);
    await expect(login.locator('footer.help-footer')).toHaveText(HELP);
    await visitor.close();
  } finally {
    await resetBranding(request);
  }
  // Reset: the page is the portal's own again.
  await page.goto('/login');
  await expect(page.locator('.topbar .brand-name')).toHaveText('Portcullis');
});
