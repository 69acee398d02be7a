import { test, expect } from '@playwright/test';
import { PASSWORD, logOut, submitLogin as logIn } from './fixtures';

test('a demo user logs in and out', async ({ page }) => {
  await page.goto('/');
  // not signed in: sent to the login page
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Log in to Portcullis' })).toBeVisible();
  await logIn(page, 'alice@example.com', PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Welcome, Alice Anders' })).toBeVisible();
  // the session survives a reload (cookie + /me)
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Welcome, Alice Anders' })).toBeVisible();

  await logOut(page);
  // and the session is gone on the server, not only in the page
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  const me = await page.request.get('/api/v1/me');
  expect(me.status()).toBe(401);
});

test('a wrong password shows the error, announced', async ({ page }) => {
  await page.goto('/login');
  await logIn(page, 'alice@example.com', 'not-the-password');
  const alert = page.getByRole('alert').filter({ hasText: 'incorrect' });
  await expect(alert).toHaveText('The email or password is incorrect.');
  await expect(alert).toHaveAttribute('aria-live', 'assertive');
  await expect(page).toHaveURL(/\/login$/);
  // the password field is cleared for the next try; the email is kept
  await expect(page.getByLabel('Password')).toHaveValue('');
  await expect(page.getByLabel('Email')).toHaveValue('alice@example.com');
});

test('empty fields get inline errors without a request', async ({ page }) => {
  await page.goto('/login');
  let requests = 0;
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/login') requests++; });
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText('Enter your email address.')).toBeVisible();
  await expect(page.getByText('Enter your password.')).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  expect(requests).toBe(0);
});

// (An administrator's deep link also passes MFA setup: see mfa.spec.ts.)
test('a deep link goes through login and back', async ({ page }) => {
  await page.goto('/?tab=profile');
  await expect(page).toHaveURL(/\/login\?next=%2F%3Ftab%3Dprofile$/);
  await logIn(page, 'alice@example.com', PASSWORD);
  await expect(page).toHaveURL(/\/\?tab=profile$/);
  await expect(page.getByRole('heading', { name: 'Welcome, Alice Anders' })).toBeVisible();
  await expect(page.getByText('User', { exact: true })).toBeVisible();
});

test('the login form works with the keyboard alone', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').focus();
  await page.keyboard.type('judy@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Welcome, Judy Jones' })).toBeVisible();
});

test('an unknown page says so', async ({ page }) => {
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

test('the page runs under its CSP without violations', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
  const resp = await page.goto('/login');
  expect(resp?.headers()['content-security-policy']).toContain("'wasm-unsafe-eval'");
  await expect(page.getByLabel('Email')).toBeVisible();
  expect(violations).toEqual([]);
});

test('an unreachable server is said in words', async ({ page }) => {
  await page.goto('/login');
  await page.route('**/api/v1/login', (route) => route.abort('connectionrefused'));
  await logIn(page, 'alice@example.com', PASSWORD);
  await expect(page.getByRole('alert').filter({ hasText: 'reached' })).toHaveText(
    'The server cannot be reached. Check your connection and try again.',
  );
  await expect(page).toHaveURL(/\/login$/);
});

test('too many wrong passwords: the wait is said and counted down', async ({ page }) => {
  await page.goto('/login');
  for (let i = 0; i < 5; i++) {
    await logIn(page, 'mallory@example.com', `wrong ${i}`);
    await expect(page.getByRole('alert').filter({ hasText: 'incorrect' })).toBeVisible();
  }
  // the right password now waits its turn
  await logIn(page, 'mallory@example.com', PASSWORD);
  await expect(page.getByRole('alert').filter({ hasText: 'Too many' })).toHaveText(
    'Too many attempts. Try again in 15 s.',
  );
  await expect(page.getByRole('button', { name: /^Log in \(wait \d+ s\)$/ })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
});

// A hundred failures in a row suspend an account until an administrator
// unlocks it, and an overloaded server answers 503 with Retry-After. Both are
// the server's own tests' business; here the answers are stood in for, to
// check what the portal says about them.
test('a suspended account is told to ask an administrator', async ({ page }) => {
  await page.goto('/login');
  await page.route('**/api/v1/login', (route) =>
    route.fulfill({
      status: 423,
      json: { code: 'suspended', message: 'This account is suspended.' },
    }),
  );
  await logIn(page, 'alice@example.com', PASSWORD);
  // The locked-out card: the server's words, and whom to ask (they name nobody).
  const card = page.getByRole('region', { name: 'You can’t sign in right now' });
  await expect(card).toContainText('This account is suspended.');
  await expect(card).toContainText('Contact your administrator to get back in.');
  await expect(page.getByLabel('Password')).toHaveCount(0);
});

test('a busy server: the wait is said and counted down', async ({ page }) => {
  await page.goto('/login');
  await page.route('**/api/v1/login', (route) =>
    route.fulfill({
      status: 503,
      headers: { 'retry-after': '3' },
      json: { code: 'unavailable', message: 'The server is busy.' },
    }),
  );
  await logIn(page, 'alice@example.com', PASSWORD);
  await expect(page.getByRole('alert').filter({ hasText: 'busy' })).toHaveText(
    'The server is busy. Try again in 3 s.',
  );
  await expect(page.getByRole('button', { name: /^Log in \(wait [1-3] s\)$/ })).toBeVisible();
  // once the wait is over the form can be sent again
  await expect(page.getByRole('button', { name: 'Log in', exact: true })).toBeVisible({ timeout: 5_000 });
});
