import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import {
  ADMIN, Admin, Api, PASSWORD, adminApp, adminWithMfa, advance, enrollApp, logInAsAdmin, setupLinkFor,
  submitLogin, tabTo, tokenOf,
} from './fixtures';

// The admin API end to end: administrators must use MFA, MFA changes need a
// recent second factor, and nobody changes their own MFA or a higher role's.
// (frank is a demo user no other spec uses.)
const FRANK = 'frank@example.com';
const GRACE = 'grace@example.com';

test('administration needs MFA, and MFA changes a recent second factor', async ({ request }) => {
  // grace, an administrator, loses her factor: the billing admin resets her
  // MFA, and makes her a setup link to hand over.
  const billing = await adminWithMfa(request);
  const reset = await billing.resetMfa(GRACE, null);
  expect(reset.mfa).toEqual({ status: 'required_no_period' });
  const link = await setupLinkFor(billing, GRACE);
  const api = new Api(request);
  await api.ok(api.post('/logout'));

  // Her password alone is refused in words: it never sets up an
  // administrator's first factor, and no session is made.
  const alone = await api.login(GRACE);
  expect(alone).toMatchObject({ next: 'locked', message: expect.stringContaining('setup link') });
  expect((await api.refused(api.get('/mfa'), 401)).code).toBe('unauthenticated');

  // The link and her password ask for an app, with no enrollment period,
  const first = await api.welcome(link);
  expect(first).toMatchObject({ next: 'enroll', mandatory: true });
  // and a login in progress is not signed in: no administration. (403
  // mfa_required is for a signed-in administrator's session without a second
  // factor, which a login never makes; the server's tests cover it.)
  expect((await api.refused(api.get('/admin/users'), 401)).code).toBe('unauthenticated');
  // The link worked once.
  expect((await api.refused(api.post('/welcome', { token: tokenOf(link), password: PASSWORD }), 404)).code).toBe('not_found');

  // Setting up the app completes the login; the admin API answers.
  const admin = new Admin(request, await api.enrollTotp());
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
  const resetFrank = await admin.resetMfa(FRANK, 3);
  expect(resetFrank.mfa).toEqual({ status: 'enrollment_period', days_left: 3 });
  expect(resetFrank.totp).toEqual({ state: 'not_set_up' });

  // The admin API never changes the administrator's own MFA.
  const me = await admin.user(GRACE);
  expect(me.mfa).toEqual({ status: 'active' });
  for (const action of ['require-mfa', 'reset-mfa']) {
    const own = await admin.refused(admin.post(`/admin/users/${me.id}/${action}`, { period_days: null }), 403);
    expect(own.code, action).toBe('outranked');
  }
});

// The users screen. These run after the test above, in order, on one
// server: frank is then in an enrollment period (3 days), like carol.
const row = (page: Page, email: string) => page.locator('table.users tbody tr').filter({ hasText: email });
// The bar that holds the picked users' actions, and the toast that says one is done.
const bar = (page: Page) => page.getByRole('region', { name: 'Selected users' });
const toast = (page: Page) => page.locator('.toast p');

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

  // Two users by their checkboxes: the bar's review says what will happen
  // and to whom; the days are checked in the browser.
  await page.getByRole('checkbox', { name: 'Select Carol Chen' }).check();
  await page.getByRole('checkbox', { name: 'Select Frank Fox' }).check();
  await expect(bar(page).getByRole('status')).toHaveText('2 selected');
  await bar(page).getByRole('button', { name: 'Require MFA', exact: true }).click();
  const confirm = page.getByRole('group', { name: 'Confirm: Require MFA' });
  await expect(confirm.getByRole('heading')).toBeFocused();
  await expect(confirm).toContainText('2 users will change.');
  await expect(confirm).toContainText('For Carol Chen and Frank Fox.');
  await confirm.getByLabel('Days to set up MFA (1–365)').fill('0');
  await confirm.getByRole('button', { name: 'Require MFA for 2 users' }).click();
  await expect(page.getByText('Enter a whole number of days from 1 to 365.')).toBeVisible();
  await confirm.getByLabel('Days to set up MFA (1–365)').fill('30');
  await confirm.getByRole('button', { name: 'Require MFA for 2 users' }).click();
  await expect(toast(page)).toHaveText('Require MFA: 2 users changed.');
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
  await advance(request, 11 * 60);
  await bar(page).getByRole('button', { name: 'Reset MFA', exact: true }).click();
  const confirmReset = page.getByRole('group', { name: 'Confirm: Reset MFA' });
  await expect(confirmReset).toContainText('1 user will change: 1 will lose their authenticator app.');
  await expect(confirmReset).toContainText('For Bob Berg.');
  await confirmReset.getByLabel('Days to set up MFA (1–365)').fill('5');
  await confirmReset.getByRole('button', { name: 'Reset MFA for 1 user' }).click();
  await expect(page.getByLabel('Code from your authenticator app')).toBeFocused();
  await page.getByLabel('Code from your authenticator app').fill(await admin.app.code());
  await page.getByRole('button', { name: 'Verify and apply' }).click();
  await expect(toast(page)).toHaveText('Reset MFA: 1 user changed: 1 lost their authenticator app.');
  await expect(row(page, 'bob@example.com')).toContainText('Required, 5 days left');
  await expect(row(page, 'bob@example.com').locator('td').nth(5)).toHaveText('None');
  // No Protect device: the column says so in words (the dash is hidden
  // from screen readers).
  await expect(page.getByRole('columnheader', { name: 'Protect' })).toBeVisible();
  await expect(row(page, 'bob@example.com').locator('td').nth(6)).toContainText('Not enrolled');

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
  // The bar's Require MFA, then "At next login" in its review: arrow keys
  // move within the radio group.
  await tabTo(page, bar(page).getByRole('button', { name: 'Require MFA', exact: true }));
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('group', { name: 'Confirm: Require MFA' });
  await expect(confirm.getByRole('heading')).toBeFocused();
  await expect(confirm).toContainText('2 users will change.');
  await expect(confirm).toContainText('For Carol Chen and Frank Fox.');
  await tabTo(page, confirm.getByRole('radio', { name: 'A number of days' }));
  await page.keyboard.press('ArrowDown');
  await expect(confirm.getByRole('radio', { name: 'None: at next login' })).toBeChecked();
  await tabTo(page, confirm.getByRole('button', { name: 'Require MFA for 2 users' }));
  await page.keyboard.press('Enter');
  await expect(toast(page)).toHaveText('Require MFA: 2 users changed.');
  await expect(page.locator('#users-table')).toBeFocused();
  // No longer in a period: the filtered list no longer has them.
  await expect(row(page, 'carol@example.com')).toHaveCount(0);
  await expect(row(page, 'frank@example.com')).toHaveCount(0);
  await page.getByLabel('MFA status').selectOption({ label: 'Required, no enrollment period' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(row(page, 'carol@example.com')).toContainText('Required now');
  await expect(row(page, 'frank@example.com')).toContainText('Required now');
});

// A user's details page, a setting, and the event log that records them
// all. bob was reset above (no factor, required, 5 days): he sets up an app
// again through the API here, with a session of his own.
test('user details: remove a factor, end sessions, a setting, all in the event log', async ({ page, request, playwright, baseURL }) => {
  const bobRequest = await playwright.request.newContext({ baseURL });
  const bob = new Api(bobRequest);
  expect(await bob.login('bob@example.com')).toMatchObject({ next: 'enroll', mandatory: false });
  await bob.enrollTotp();
  expect((await bob.ok<{ email: string }>(bob.get('/me'))).email).toBe('bob@example.com');

  const admin = await logInAsAdmin(page, request);
  await page.goto('/admin/users?search=bob');
  await row(page, 'bob@example.com').getByRole('link', { name: 'Bob Berg' }).click();
  await expect(page).toHaveURL(/\/admin\/users\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Bob Berg' })).toBeVisible();
  await expect(page.getByText('MFA status: Active')).toBeVisible();
  // the login's code is his last MFA use
  await expect(page.getByText(/Last MFA use: (?!never)/)).toBeVisible();
  const factors = page.getByRole('region', { name: 'Factors' });
  await expect(factors.getByRole('row', { name: /Authenticator app/ })).toBeVisible();
  const sessions = page.getByRole('region', { name: 'Active sessions' });
  await expect(sessions.getByRole('row')).toHaveCount(2); // header and bob's session

  // His only factor while MFA is required: refused, with the way out.
  await factors.getByRole('button', { name: 'Remove… Authenticator app' }).click();
  const confirm = page.getByRole('group', { name: 'Confirm' });
  await expect(confirm.getByRole('heading')).toBeFocused();
  await expect(confirm).toContainText('Remove Bob Berg’s authenticator app?');
  await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(confirm.getByRole('alert')).toContainText('Reset MFA');
  await confirm.getByRole('button', { name: 'Cancel' }).click();

  // No longer required, the app can go; the last code is too old by now,
  // so the page asks for a fresh one and carries on. (Every change to the
  // account is in the Actions list.)
  await page.getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('button', { name: 'Stop requiring MFA…' }).click();
  await page.getByRole('group', { name: 'Confirm' }).getByRole('button', { name: 'Stop requiring MFA' }).click();
  await expect(page.locator('.toast p')).toHaveText('MFA is no longer required for Bob Berg.');
  await expect(page.getByText('MFA status: Set up (not required)')).toBeVisible();
  await advance(request, 11 * 60);
  await factors.getByRole('button', { name: 'Remove… Authenticator app' }).click();
  await page.getByRole('group', { name: 'Confirm' }).getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(page.getByLabel('Code from your authenticator app')).toBeFocused();
  await page.getByLabel('Code from your authenticator app').fill(await admin.app.code());
  await page.getByRole('button', { name: 'Verify and continue' }).click();
  await expect(page.locator('.toast p')).toHaveText('Authenticator app removed.');
  await expect(factors).toContainText('No factor is set up.');
  await expect(page.getByText('MFA status: Off')).toBeVisible();

  // End his sessions: his next request is refused.
  await expect(bob.refused(bob.get('/me'), 401)).resolves.toMatchObject({ code: 'unauthenticated' });
  expect(await bob.login('bob@example.com')).toMatchObject({ next: 'done' });
  await page.reload();
  await expect(sessions.getByRole('row')).toHaveCount(2);
  await sessions.getByRole('button', { name: 'End all sessions…' }).click();
  await page.getByRole('group', { name: 'Confirm' }).getByRole('button', { name: 'End sessions' }).click();
  await expect(page.locator('.toast p')).toHaveText('Every session of Bob Berg ended.');
  await expect(sessions).toContainText('No active session.');
  await bob.refused(bob.get('/me'), 401);
  await bobRequest.dispose();

  // A setting: the default enrollment period.
  const tabs = page.getByRole('navigation', { name: 'Administration' });
  await tabs.getByRole('link', { name: 'MFA settings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'MFA settings' })).toBeVisible();
  // The tabs mark the current screen, and only it.
  await expect(tabs.getByRole('link', { name: 'MFA settings' })).toHaveAttribute('aria-current', 'page');
  await expect(tabs.locator('[aria-current="page"]')).toHaveCount(1);
  const days = page.getByLabel('Days to set up MFA (1–365)').first();
  await expect(days).toHaveValue('7');
  await days.fill('14');
  const defaultSave = page.getByRole('form', { name: 'Default enrollment period' }).getByRole('button', { name: 'Save…' });
  await defaultSave.click();
  // The confirmation opens right below its section, with the focus, before
  // the next section (not at the top of the page).
  const confirmSetting = page.getByRole('group', { name: 'Confirm the change' });
  await expect(confirmSetting).toContainText('Offer 14 days as the enrollment period');
  await expect(confirmSetting.getByRole('heading')).toBeFocused();
  const below = async (upper: { boundingBox(): Promise<{ y: number } | null> }, lower: { boundingBox(): Promise<{ y: number } | null> }) =>
    expect((await upper.boundingBox())!.y).toBeLessThan((await lower.boundingBox())!.y);
  await below(defaultSave, confirmSetting);
  await below(confirmSetting, page.getByRole('form', { name: 'New users' }));
  await confirmSetting.getByRole('button', { name: 'Save the change' }).click();
  await expect(toast(page)).toHaveText('Saved. The change is recorded in the event log.');
  await expect(defaultSave).toBeFocused();
  await expect(page.getByText(/Last changed .* by admin@example\.com\./)).toBeVisible();
  // Switching Protect push off says first whom it leaves without a factor.
  await expect(page.getByText('0 users with Protect push as their only factor.')).toBeVisible();
  await page.getByRole('checkbox', { name: /Protect push/ }).uncheck();
  await page.getByRole('form', { name: 'Factors users may set up' }).getByRole('button', { name: 'Save…' }).click();
  await expect(confirmSetting).toContainText('Protect push stops at once');
  await expect(confirmSetting).toContainText('0 users with push as their only factor');
  await confirmSetting.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('checkbox', { name: /Protect push/ })).toBeChecked();
  await expect(page.getByRole('form', { name: 'Factors users may set up' }).getByRole('button', { name: 'Save…' })).toBeFocused();

  // The event log has each of these.
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Events' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Events' })).toBeVisible();
  const log = page.locator('table.events tbody tr');
  const expectEvent = async (kind: string, text: RegExp, user = '') => {
    await page.getByLabel('User’s email').fill(user);
    await page.getByLabel('Kind of event').selectOption({ label: kind });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page.locator('.result-count')).toHaveText(/\d+ events? shown/);
    await expect(log.filter({ hasText: text }).first(), `${kind} ${text}`).toBeVisible();
  };
  await expectEvent('MFA required by an admin', /carol@example\.com.*30-day enrollment period/);
  await expectEvent('MFA required by an admin', /frank@example\.com/);
  await expectEvent('MFA reset by an admin', /bob@example\.com.*5-day enrollment period/);
  await expectEvent('Factor removed by an admin', /bob@example\.com/, 'bob@example.com');
  await expectEvent('Sessions ended by an admin', /bob@example\.com/, 'bob@example.com');
  await expectEvent('MFA setting changed', /7 → 14 days/);
  await expect(page).toHaveURL(/\/admin\/events\?kind=admin_setting_changed$/);
  // Refusals only: bob's session after it ended is not a login failure, so
  // a refused code is needed to see one; the outcome filter narrows.
  await page.getByLabel('Kind of event').selectOption({ label: 'Any event' });
  await page.getByLabel('Outcome').selectOption({ label: 'Succeeded' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/outcome=success$/);
  await expect(log.filter({ hasText: 'Refused' })).toHaveCount(0);
});

// grace is an admin, not a billing admin: the settings page is hers too,
// but which factors users may set up is not hers to change, and it says so.
test('a plain administrator changes a setting, and sees why the factor kinds are not theirs', async ({ page, request }) => {
  // Her app's key is not known to the tests: the billing admin resets her
  // MFA and hands her a setup link, with which she sets up a new app.
  const billing = await adminWithMfa(request);
  await billing.resetMfa(GRACE, null);
  const link = await setupLinkFor(billing, GRACE);
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Set up your second factor' })).toBeVisible();
  // The token leaves the address bar at once.
  await expect(page).toHaveURL(/\/welcome$/);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/enroll$/);
  await enrollApp(page, request);
  await page.goto('/admin/mfa');
  await expect(page.getByRole('heading', { level: 1, name: 'MFA settings' })).toBeVisible();
  await expect(page.getByText('Only a billing administrator can change which factors users may set up.')).toBeVisible();
  for (const kind of [/Authenticator app/, /Security keys and passkeys/, /Protect push/]) {
    await expect(page.getByRole('checkbox', { name: kind })).toBeDisabled();
  }
  await expect(page.getByRole('form', { name: 'Factors users may set up' }).getByRole('button', { name: 'Save…' })).toBeDisabled();
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => v.id), 'axe on the settings of a plain admin').toEqual([]);

  // The default period is hers to change (back to 7 days).
  const days = page.getByLabel('Days to set up MFA (1–365)').first();
  await expect(days).toHaveValue('14');
  await days.fill('7');
  await page.getByRole('form', { name: 'Default enrollment period' }).getByRole('button', { name: 'Save…' }).click();
  await page.getByRole('group', { name: 'Confirm the change' }).getByRole('button', { name: 'Save the change' }).click();
  await expect(toast(page)).toHaveText('Saved. The change is recorded in the event log.');
  await expect(page.getByText(/Last changed .* by grace@example\.com\./)).toBeVisible();

  // Protect: the push limit is hers (2 at once, then back to 1); merging
  // Protect with the authenticator app is not, and it says so.
  await expect(page.getByText('Only a billing administrator can merge or separate them.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Merge…' })).toBeDisabled();
  const limit = page.getByRole('form', { name: 'Push limit' });
  const most = limit.getByLabel('Pushes waiting at once, per user and portal (1–10)');
  await expect(most).toHaveValue('1');
  for (const [typed, words] of [['0', null], ['2', 'Allow up to 2 pushes'], ['1', 'Allow one push at a time']] as const) {
    await most.fill(typed);
    await limit.getByRole('button', { name: 'Save…' }).click();
    if (words === null) {
      await expect(limit.getByText('Enter a whole number of pushes from 1 to 10.')).toBeVisible();
      continue;
    }
    const confirm = page.getByRole('group', { name: 'Confirm the change' });
    await expect(confirm).toContainText(words);
    await confirm.getByRole('button', { name: 'Save the change' }).click();
    await expect(toast(page)).toHaveText('Saved. The change is recorded in the event log.');
    await expect(most).toHaveValue(typed);
  }
});
