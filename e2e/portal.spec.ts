import { test, expect, Page } from '@playwright/test';
import { chooseInMenu, logIn, logInAsAdmin, submitLogin } from './fixtures';

// The portal's frame: guards, lazily loaded screens, the first paint before
// the wasm, titles, the user's menu, and what search engines are told.

/** Paths of the wasm files the page fetches from now on. */
function wasmRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) seen.push(new URL(r.url()).pathname.split('/').pop()!);
  });
  return seen;
}

test.describe('guards', () => {
  test('signed out: a portal or admin address goes to log in and back', async ({ page }) => {
    const wasm = wasmRequests(page);
    await page.goto('/security');
    await expect(page).toHaveURL(/\/login\?next=%2Fsecurity$/);
    await page.goto('/admin/users');
    await expect(page).toHaveURL(/\/login\?next=%2Fadmin%2Fusers$/);
    // the guards refused before any screen's code was fetched
    await page.waitForLoadState('networkidle');
    expect(wasm.filter((f) => f !== 'main_bg.wasm')).toEqual([]);
    await submitLogin(page, 'judy@example.com');
    // judy is no administrator: back where she was going, and refused there
    await expect(page).toHaveURL(/\/admin\/users$/);
    await expect(page.getByRole('heading', { name: 'Administrators only' })).toBeVisible();
  });

  test('a non-administrator gets a clear refusal, and no admin code', async ({ page }) => {
    const wasm = wasmRequests(page);
    await logIn(page, 'alice@example.com');
    await expect(page.getByRole('heading', { name: 'Welcome, Alice Anders' })).toBeVisible();
    // no Admin entry in her navigation
    const main = page.getByRole('navigation', { name: 'Main' });
    await expect(main.getByRole('link', { name: 'Security', exact: true })).toBeVisible();
    await expect(main.getByRole('link', { name: 'Home', exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0);
    await page.goto('/admin/users');
    await expect(page.getByRole('heading', { name: 'Administrators only' })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('not an administrator');
    await expect(page).toHaveTitle('Administrators only · Portcullis');
    expect(wasm.filter((f) => f.includes('admin'))).toEqual([]);
  });

  test('an administrator opens Users from the menu', async ({ page, request }) => {
    await logInAsAdmin(page, request);
    const wasm = wasmRequests(page);
    await chooseInMenu(page, 'Admin');
    await expect(page).toHaveURL(/\/admin\/users$/);
    await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
    await expect(page.getByRole('cell', { name: 'grace@example.com' })).toBeVisible();
    await expect(page).toHaveTitle('Users · Portcullis');
    expect(wasm.some((f) => f.includes('admin_area'))).toBe(true);
    // /admin alone opens the first admin screen
    await page.goto('/admin');
    await expect(page).toHaveURL(/\/admin\/users$/);
  });

  test('a session that ends on the server signs out once, and comes back after login', async ({ page, context }) => {
    await logIn(page, 'alice@example.com');
    await expect(page.getByRole('heading', { name: 'Welcome, Alice Anders' })).toBeVisible();
    await context.clearCookies();
    await chooseInMenu(page, 'Security');
    await expect(page).toHaveURL(/\/login\?next=%2Fsecurity$/);
    await submitLogin(page, 'alice@example.com');
    await expect(page.getByRole('heading', { name: 'Sign-in methods' })).toBeVisible();
  });
});

test('opening /login fetches no portal or admin code, and logs no error', async ({ page }) => {
  const wasm = wasmRequests(page);
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  await page.goto('/login');
  await expect(page.locator('#boot')).toHaveCount(0);
  await page.waitForLoadState('networkidle');
  expect(wasm).toEqual(['main_bg.wasm']);
  expect(problems).toEqual([]);
  // the portal's code comes with the portal
  await submitLogin(page, 'alice@example.com');
  await expect(page.getByRole('heading', { name: 'Welcome, Alice Anders' })).toBeVisible();
  expect(wasm.some((f) => f.includes('portal_view'))).toBe(true);
  expect(wasm.some((f) => f.includes('admin'))).toBe(false);
});

test('the login card is painted before the wasm, and taken over without a jump or lost input', async ({ page }) => {
  let release!: () => void;
  const wasmHeld = new Promise<void>((r) => (release = r));
  await page.route('**/main_bg.wasm', async (route) => {
    await wasmHeld;
    await route.continue();
  });
  await page.goto('/login', { waitUntil: 'domcontentloaded' });
  const heading = page.getByRole('heading', { name: 'Log in to Portcullis' });
  await expect(heading).toBeVisible();
  await expect(page.locator('#boot')).toBeVisible();
  const before = await heading.boundingBox();
  const fieldBefore = await page.getByLabel('Email').boundingBox();
  await page.getByLabel('Email').fill('alice@example.com');
  await page.getByLabel('Password').focus();
  await page.keyboard.type('half-typed');

  release();
  await expect(page.locator('#boot')).toHaveCount(0);
  expect(await heading.boundingBox()).toEqual(before);
  expect(await page.getByLabel('Email').boundingBox()).toEqual(fieldBefore);
  await expect(page.getByLabel('Email')).toHaveValue('alice@example.com');
  await expect(page.getByLabel('Password')).toHaveValue('half-typed');
  await expect(page.getByLabel('Password')).toBeFocused();
  // the typing goes on in the app's field
  await page.keyboard.type('-more');
  await expect(page.getByLabel('Password')).toHaveValue('half-typed-more');
});

test('titles follow the screen and are announced', async ({ page }) => {
  await page.goto('/login');
  await expect(page).toHaveTitle('Log in · Portcullis');
  await submitLogin(page, 'alice@example.com');
  await expect(page).toHaveTitle('Home · Portcullis');
  await chooseInMenu(page, 'Security');
  await expect(page).toHaveTitle('Security · Portcullis');
  await expect(page.locator('[aria-live="polite"]').filter({ hasText: 'Security · Portcullis' })).toHaveCount(1);
  await page.goto('/no/such/page');
  await expect(page).toHaveTitle('Page not found · Portcullis');
});

test('the header: one row at 320 px, its height the same signed in, the navigation and menu by keyboard', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto('/login');
  const header = page.locator('header.topbar');
  await expect(header).toBeVisible();
  const signedOutHeight = (await header.boundingBox())!.height;
  await logIn(page, 'alice@example.com');
  await expect(page.getByRole('heading', { name: 'Welcome, Alice Anders' })).toBeVisible();
  const toggle = page.getByRole('navigation', { name: 'Account' }).locator('button[aria-expanded]');
  await expect(toggle).toBeVisible();
  expect((await header.boundingBox())!.height).toBe(signedOutHeight);
  const brand = await page.getByRole('link', { name: 'Portcullis' }).boundingBox();
  const button = await toggle.boundingBox();
  expect(Math.abs(brand!.y + brand!.height / 2 - (button!.y + button!.height / 2))).toBeLessThan(4);
  expect(button!.x + button!.width).toBeLessThanOrEqual(320);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);

  // the main navigation: Home marked as the current page, Security next
  const main = page.getByRole('navigation', { name: 'Main' });
  await expect(main.getByRole('link', { name: 'Home', exact: true })).toHaveAttribute('aria-current', 'page');
  await main.getByRole('link', { name: 'Home', exact: true }).focus();
  await page.keyboard.press('Tab');
  await expect(main.getByRole('link', { name: 'Security', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/security$/);
  await expect(main.getByRole('link', { name: 'Security', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(main.getByRole('link', { name: 'Home', exact: true })).not.toHaveAttribute('aria-current', 'page');

  // the menu: the account's email and Sign out; Escape closes it
  await toggle.focus();
  await page.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByText('alice@example.com')).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(toggle).toBeFocused();
});

test('search engines may crawl the login page only, and are told what it is', async ({ page, request }) => {
  const robots = await request.get('/robots.txt');
  expect(robots.ok()).toBe(true);
  // The rules without comments: /login exactly (the longer rule wins), nothing else.
  const rules = (await robots.text())
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
  expect(rules).toEqual(['User-agent: *', 'Allow: /login$', 'Disallow: /']);
  await page.goto('/login');
  await expect(page.locator('meta[name="description"]')).toHaveAttribute('content', /Portcullis/);
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute('href', /favicon.*\.svg$/);
});
