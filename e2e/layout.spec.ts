import { test, expect, Page } from '@playwright/test';
import { adminWithMfa, logIn, logInAsAdmin, newUser, suspendedUser, uniqueEmail } from './fixtures';

// Every screen at a small phone's width (320 px), a common phone's (390 px)
// and a laptop's (1280 px), in both colour schemes: nothing makes the page
// scroll sideways, no control reaches past the screen's edge, and no input
// hides part of what is typed in it. (The MFA prompt, enrollment and the
// locked-out card are reached with accounts of the test's own: other specs
// change the demo users' MFA state in the same database.)

const WIDTHS = [320, 390, 1280];

/** What does not fit at the current width, in words. */
async function misfits(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const doc = document.documentElement;
    const width = doc.clientWidth;
    const name = (el: Element) =>
      el.id || el.getAttribute('aria-label') || (el.textContent ?? '').trim().slice(0, 40) || el.tagName;
    // inside a box that scrolls sideways on purpose (a wide table), only
    // that box has to fit
    const scrolls = (el: Element) => {
      for (let p = el.parentElement; p && p !== doc; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll') return true;
      }
      return false;
    };
    if (doc.scrollWidth > width) {
      out.push(`the page is ${doc.scrollWidth} px wide`);
      // the outermost elements that reach past the edge, to say which
      for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width > 0 && box.right > width + 1 && !scrolls(el) && !(el.parentElement && el.parentElement.getBoundingClientRect().right > width + 1)) {
          out.push(`${el.tagName.toLowerCase()}.${el.className} “${name(el)}” ends at ${Math.round(box.right)} px`);
        }
      }
    }
    const controls = document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(
      'input:not([type=checkbox]):not([type=radio]):not([type=hidden]), textarea, select, button',
    );
    for (const el of controls) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || el.closest('[hidden]') || scrolls(el)) continue;
      if (box.right > width + 1 || box.left < -1) out.push(`${name(el)} reaches past the edge`);
      if (el instanceof HTMLInputElement && el.value && el.scrollWidth > el.clientWidth + 1) {
        out.push(`${name(el)} hides part of its text`);
      }
    }
    return out;
  });
}

/**
 * Checks the screen on show at every width in both schemes (one visit,
 * checked six ways), then goes back to the first width, light.
 */
async function expectFits(page: Page, screen: string) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      expect(await misfits(page), `${screen} at ${width} px, ${colorScheme}`).toEqual([]);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: WIDTHS[0], height: 800 });
}

test.use({ viewport: { width: WIDTHS[0], height: 800 } });

test('signed out: login, its errors, forgot password, a bad link', async ({ page }) => {
  await page.goto('/login');
  await expect(page.locator('#boot')).toHaveCount(0);
  await expectFits(page, 'login');
  // an address as long as most: it fits the field at every width
  await page.getByLabel('Email').fill('alice@example.com');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText('Enter your password.')).toBeVisible();
  await expectFits(page, 'login with an error');

  await page.goto('/forgot');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectFits(page, 'forgot password');

  await page.goto('/welcome#no-such-token');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectFits(page, 'a link that does not work');
});

test('the login steps: MFA prompt, enrollment, locked-out card', async ({ page, request }) => {
  const admin = await adminWithMfa(request);
  // An account with an app: its MFA prompt, by code and by another way.
  const withApp = uniqueEmail('layout-mfa');
  await newUser(admin, page.request, withApp, { app: true });
  await page.context().clearCookies();
  await logIn(page, withApp);
  await page.getByLabel('Authentication code').fill('123 456');
  await expectFits(page, 'MFA prompt');
  await page.getByRole('button', { name: 'Use a code from your helpdesk' }).click();
  await expectFits(page, 'MFA prompt, another way');

  // An account with nothing yet: the enrollment's chooser and steps.
  await page.context().clearCookies();
  await newUser(admin, page.request, uniqueEmail('layout-enroll'));
  await page.goto('/enroll');
  await expect(page.getByRole('list', { name: 'Sign-in methods' })).toBeVisible();
  await expectFits(page, 'enrollment chooser');
  await page.getByRole('list', { name: 'Sign-in methods' }).getByRole('link', { name: /^Authenticator app/ }).click();
  await expect(page.locator('code.key')).toBeVisible();
  await expectFits(page, 'enrollment QR step');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Code from the app').fill('123 456');
  await expectFits(page, 'enrollment code step');

  // A suspended account: the locked-out card.
  const suspended = uniqueEmail('layout-locked');
  await suspendedUser(admin, page, suspended);
  await logIn(page, suspended);
  await expect(page.getByRole('heading', { name: 'You can’t sign in right now' })).toBeVisible();
  await expectFits(page, 'locked-out card');
});

test('signed in: home, security, not found', async ({ page }) => {
  await logIn(page, 'alice@example.com');
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Multi-factor authentication' })).toBeVisible();
  await expectFits(page, 'home');
  await page.goto('/security');
  await expect(page.getByRole('heading', { name: 'Where you’re signed in' })).toBeVisible();
  await expect(page.getByText(/Loading/)).toHaveCount(0);
  await expectFits(page, 'security');
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expectFits(page, 'not found');
});

test('admin: every screen of the area', async ({ page, request }) => {
  await logInAsAdmin(page, request);
  const screens: [string, string][] = [
    ['/admin/users', 'Users'],
    ['/admin/groups', 'Groups'],
    ['/admin/apps', 'Apps'],
    ['/admin/systems', 'Systems'],
    ['/admin/events', 'Events'],
    ['/admin/mfa', 'MFA settings'],
  ];
  for (const [path, heading] of screens) {
    await page.goto(path);
    await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
    await expect(page.getByText(/^Loading/)).toHaveCount(0);
    await expectFits(page, path);
  }
  await page.goto('/admin/users');
  await page.getByRole('link', { name: 'Grace Gold' }).click();
  await expect(page.getByRole('heading', { name: 'Grace Gold', level: 1 })).toBeVisible();
  await expectFits(page, 'a user');
});

