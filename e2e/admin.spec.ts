import { test, expect, Page } from '@playwright/test';
import { ADMIN, Admin, Api, adminApp, adminWithoutApp, advance, logInAsAdmin, tabTo } from './fixtures';

// The admin API end to end: administrators must use MFA, MFA changes need a
// recent second factor, and nobody changes their own MFA or a higher role's.
// (frank is a demo user no other spec uses.)
const FRANK = 'frank@example.com';

test('administration needs MFA, and MFA changes a recent second factor', async ({ request }) => {
  await adminWithoutApp(request);
  const api = new Api(request);

  // The password alone asks for an app, with no enrollment period,
  const first = await api.login(ADMIN);
  expect(first).toMatchObject({ next: 'enroll', mandatory: true });
  // and a login in progress is not signed in: no administration. (403
  // mfa_required is for a signed-in administrator's session without a second
  // factor, which a demo login can no longer get; the server's tests cover it.)
  expect((await api.refused(api.get('/admin/users'), 401)).code).toBe('unauthenticated');

  // Setting up the app completes the login; the admin API answers.
  const admin = new Admin(request, await api.enrollTotp((secret) => adminApp(request, secret)));
  const frank = await admin.user(FRANK);
  expect(frank.mfa).toEqual({ status: 'set_up_not_required' });

  // Ten minutes after the last code, an MFA change asks for a new one…
  await advance(request, 11 * 60);
  const stale = await admin.refused(
    admin.post(`/admin/users/${frank.id}/require-mfa`, { period_days: 7 }),
    403,
  );
  expect(stale.code).toBe('reauthentication_required');
  // …which POST /mfa/verify gives.
  await admin.reauthenticate();
  expect((await admin.requireMfa(FRANK, 7)).mfa).toEqual({ status: 'active' });
  const reset = await admin.resetMfa(FRANK, 3);
  expect(reset.mfa).toEqual({ status: 'enrollment_period', days_left: 3 });
  expect(reset.totp).toEqual({ state: 'not_set_up' });

  // The admin API never changes the administrator's own MFA.
  const me = await admin.user(ADMIN);
  expect(me.mfa).toEqual({ status: 'active' });
  for (const action of ['require-mfa', 'reset-mfa']) {
    const own = await admin.refused(admin.post(`/admin/users/${me.id}/${action}`, { period_days: null }), 403);
    expect(own.code, action).toBe('outranked');
  }
});

// The users screen. These run after the test above, in order, on one
// server: frank is then in an enrollment period (3 days), like carol.
const row = (page: Page, email: string) => page.locator('table.users tbody tr').filter({ hasText: email });

test('users screen: filter, bulk Require MFA for two users, Reset MFA for one', async ({ page, request }) => {
  const admin = await logInAsAdmin(page, request);
  await page.goto('/admin/users');
  await expect(page.locator('.result-count')).toHaveText(/\d+ users shown\./);

  // Filter "in enrollment period": the filter goes into the URL.
  await page.getByLabel('MFA status').selectOption({ label: 'In enrollment period' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/\/admin\/users\?status=enrollment_period$/);
  await expect(row(page, 'carol@example.com')).toContainText(/Required, \d+ days? left/);
  await expect(row(page, 'frank@example.com')).toContainText('Required, 3 days left');
  await expect(row(page, 'bob@example.com')).toHaveCount(0);
  await expect(page.getByRole('link', { name: /Export CSV/ })).toHaveAttribute(
    'href',
    '/api/v1/admin/users.csv?status=enrollment_period',
  );

  // Two users by their checkboxes; the days are checked in the browser.
  await page.getByRole('checkbox', { name: 'Select Carol Chen' }).check();
  await page.getByRole('checkbox', { name: 'Select Frank Fox' }).check();
  await expect(page.getByText('For the 2 users selected.')).toBeVisible();
  await page.getByLabel('Days to set up MFA (1–365)').fill('0');
  await page.getByRole('button', { name: 'Review…' }).click();
  await expect(page.getByText('Enter a whole number of days from 1 to 365.')).toBeVisible();
  await page.getByLabel('Days to set up MFA (1–365)').fill('30');
  await page.getByRole('button', { name: 'Review…' }).click();

  // The confirmation says what will happen, then the action runs.
  const confirm = page.getByRole('group', { name: 'Confirm: Require MFA' });
  await expect(confirm.getByRole('heading')).toBeFocused();
  await expect(confirm).toContainText('2 users will change.');
  await expect(confirm).toContainText('Enrollment period: 30 days.');
  await confirm.getByRole('button', { name: 'Require MFA for 2 users' }).click();
  await expect(page.locator('.outcome')).toHaveText('Require MFA: 2 users changed.');
  await expect(row(page, 'carol@example.com')).toContainText('Required, 30 days left');
  await expect(row(page, 'frank@example.com')).toContainText('Required, 30 days left');
  await expect(page.getByRole('checkbox', { name: 'Select Carol Chen' })).not.toBeChecked();

  // The details of a status show on keyboard focus.
  const carolStatus = row(page, 'carol@example.com').getByRole('button', { name: /Required/ });
  await carolStatus.focus();
  await expect(row(page, 'carol@example.com').getByRole('tooltip')).toBeVisible();
  await expect(row(page, 'carol@example.com').getByRole('tooltip')).toContainText('30 days left');
  await expect(row(page, 'carol@example.com').getByRole('tooltip')).toContainText('Factors set up: None.');

  // Reset one user's MFA (bob has an authenticator app), after the last
  // code is too old: the screen asks for a fresh one, then carries on.
  await page.getByLabel('MFA status').selectOption({ label: 'Any status' });
  await page.getByLabel('Name or email starts with').fill('bob');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/\/admin\/users\?search=bob$/);
  await expect(row(page, 'bob@example.com')).toContainText('Active');
  await expect(row(page, 'bob@example.com')).toContainText('Authenticator app');
  await page.getByRole('checkbox', { name: 'Select Bob Berg' }).check();
  await page.getByRole('radio', { name: /Reset MFA/ }).check();
  await page.getByLabel('Days to set up MFA (1–365)').fill('5');
  await advance(request, 11 * 60);
  await page.getByRole('button', { name: 'Review…' }).click();
  const confirmReset = page.getByRole('group', { name: 'Confirm: Reset MFA' });
  await expect(confirmReset).toContainText('1 user will change: 1 will lose their authenticator app.');
  await confirmReset.getByRole('button', { name: 'Reset MFA for 1 user' }).click();
  await expect(page.getByLabel('Code from your authenticator app')).toBeFocused();
  await page.getByLabel('Code from your authenticator app').fill(await admin.app.code());
  await page.getByRole('button', { name: 'Verify and apply' }).click();
  await expect(page.locator('.outcome')).toHaveText('Reset MFA: 1 user changed: 1 lost their authenticator app.');
  await expect(row(page, 'bob@example.com')).toContainText('Required, 5 days left');
  await expect(row(page, 'bob@example.com').locator('td').nth(5)).toHaveText('None');

  // Back returns to the previous view, filter and all.
  await page.goBack();
  await expect(page).toHaveURL(/\/admin\/users\?status=enrollment_period$/);
  await expect(page.getByLabel('MFA status')).toHaveValue('enrollment_period');
  await expect(row(page, 'bob@example.com')).toContainText('Required, 5 days left');
});

test('users screen: the same bulk action by keyboard alone', async ({ page, request }) => {
  await logInAsAdmin(page, request);
  await page.goto('/admin/users');
  await expect(page.locator('.result-count')).toHaveText(/users shown/);

  // The status filter: typing picks the option, Enter on the button applies.
  await tabTo(page, page.getByLabel('MFA status'));
  await page.keyboard.type('In enrollment');
  await expect(page.getByLabel('MFA status')).toHaveValue('enrollment_period');
  await tabTo(page, page.getByRole('button', { name: 'Apply filters' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/status=enrollment_period$/);

  // Sort by name, descending: Enter on the header's button, twice.
  const nameHeader = page.getByRole('columnheader', { name: 'Name' });
  await tabTo(page, nameHeader.getByRole('button'));
  await page.keyboard.press('Enter');
  await expect(nameHeader).toHaveAttribute('aria-sort', 'ascending');
  await page.keyboard.press('Enter');
  await expect(nameHeader).toHaveAttribute('aria-sort', 'descending');
  await expect(page).toHaveURL(/sort=name&desc=true$/);

  for (const name of ['Frank Fox', 'Carol Chen']) {
    const box = page.getByRole('checkbox', { name: `Select ${name}` });
    await tabTo(page, box);
    await page.keyboard.press('Space');
    await expect(box).toBeChecked();
  }
  // "At next login": arrow keys move within the radio group.
  await tabTo(page, page.getByRole('radio', { name: 'A number of days' }));
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('radio', { name: 'None: at next login' })).toBeChecked();
  await tabTo(page, page.getByRole('button', { name: 'Review…' }));
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('group', { name: 'Confirm: Require MFA' });
  await expect(confirm.getByRole('heading')).toBeFocused();
  await expect(confirm).toContainText('2 users will change.');
  await expect(confirm).toContainText('No enrollment period');
  await tabTo(page, confirm.getByRole('button', { name: 'Require MFA for 2 users' }));
  await page.keyboard.press('Enter');
  await expect(page.locator('.outcome')).toHaveText('Require MFA: 2 users changed.');
  // No longer in a period: the filtered list no longer has them.
  await expect(row(page, 'carol@example.com')).toHaveCount(0);
  await expect(row(page, 'frank@example.com')).toHaveCount(0);
  await page.getByLabel('MFA status').selectOption({ label: 'Required, no enrollment period' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(row(page, 'carol@example.com')).toContainText('Required now');
  await expect(row(page, 'frank@example.com')).toContainText('Required now');
});
