import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { advance, logInAsAdmin, tabTo } from './fixtures';

// /admin/systems: the Linux hosts whose PAM stack asks the portal after the
// password. The administrator registers one, reads the command (with its
// one-time token) to run on it, changes it, makes a new token (after a
// fresh second factor) and removes it, by the keyboard where it matters.
// Below the hosts, the RADIUS clients (VPNs and network gear): registered
// with a shared secret the page never shows again, changed, removed.

interface HostView {
  name: string;
  mfa: boolean;
  unknown_users: 'deny' | 'pass';
}

interface RadiusClientView {
  name: string;
  address: string;
  everyone: boolean;
}

/** axe finds nothing, in both schemes; nothing overflows at 320 px. */
async function accessible(page: Page, what: string) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const found = await new AxeBuilder({ page }).analyze();
    expect(found.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), `${what}, ${colorScheme}`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 320, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${what} at 320 px`).toBeLessThanOrEqual(320);
  await page.setViewportSize({ width: 1280, height: 720 });
}

test('an administrator registers a host, changes it, makes a new token and removes it', async ({ page, request, context }) => {
  const admin = await logInAsAdmin(page, request);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/admin/users');
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Systems' }).click();
  await expect(page).toHaveURL(/\/admin\/systems$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Systems' })).toBeVisible();
  await expect(page).toHaveTitle('Systems · Portcullis');
  await expect(page.getByText('No host is registered yet.')).toBeVisible();
  const outcome = page
    .getByRole('region', { name: 'Systems', exact: true })
    .locator(':scope > p.status-line[role="status"]');

  // Register web-1: a second factor, everyone, unknown users refused (the defaults).
  await page.getByRole('button', { name: 'Register a host' }).click();
  const form = page.getByRole('form', { name: 'Register a host' });
  await expect(form.getByLabel('Name')).toBeFocused();
  await page.keyboard.type('web-1');
  await expect(form.getByLabel('Ask for a second factor after the password')).toBeChecked();
  await expect(form.getByLabel('Users Portcullis does not know')).toHaveValue('deny');
  await expect(form.getByLabel('Everyone')).toBeChecked();
  await form.getByRole('button', { name: 'Register the host' }).click();
  await expect(outcome).toHaveText('web-1 registered. Run the command below on it to enroll it.');

  // The command with its token, shown once.
  const shown = page.getByRole('group', { name: 'Enroll web-1' });
  await expect(shown.getByRole('heading', { name: 'Enroll web-1' })).toBeFocused();
  await expect(shown).toContainText('as root');
  await expect(shown).toContainText('shown only this once');
  await expect(shown).toContainText('for 24 hours');
  await expect(shown).toContainText('pam_portcullis.so');
  const token = await shown.getByLabel('Enrollment token (in the command)').inputValue();
  expect(token).toMatch(/^\S{20,}$/);
  const command = await shown.getByLabel('Command to run on web-1').inputValue();
  expect(command).toContain('portcullis-pam enroll --url ');
  expect(command).toContain(token);
  await shown.getByRole('button', { name: 'Copy command' }).click();
  await expect(shown.getByRole('status')).toHaveText('Command copied.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command);

  // The table: MFA on, everyone, refused, waiting for enrollment, never seen.
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'web-1' }) });
  await expect(row.getByRole('cell')).toHaveText([
    'On',
    'Everyone',
    'Refuse them',
    /^Waiting for enrollment \(token valid until .+\)$/,
    'never',
    /Change/,
  ]);
  await accessible(page, 'the host and its command');

  // Change it: the password alone, unknown users let in.
  await row.getByRole('button', { name: 'Change web-1' }).click();
  const change = page.getByRole('form', { name: 'Change the host' });
  await expect(change.getByLabel('Name')).toHaveValue('web-1');
  await change.getByLabel('Ask for a second factor after the password').uncheck();
  await change.getByLabel('Users Portcullis does not know').selectOption({ label: 'Let them in with their password' });
  await change.getByLabel('Everyone').uncheck();
  await expect(change.getByLabel('People (emails, one per line)')).toBeVisible();
  await accessible(page, 'the form');
  await change.getByLabel('Everyone').check();
  await change.getByRole('button', { name: 'Save' }).click();
  await expect(outcome).toHaveText('web-1 saved.');
  await expect(change).toBeHidden();
  await expect(row.getByRole('cell').nth(0)).toHaveText('Off (password alone)');
  await expect(row.getByRole('cell').nth(2)).toHaveText('Let them in with their password');
  const [saved] = await admin.ok<HostView[]>(admin.get('/admin/hosts'));
  expect(saved).toMatchObject({ name: 'web-1', mfa: false, unknown_users: 'pass' });

  // A new enrollment token, once the second factor is older than 10
  // minutes: the page asks for a current code first, then carries on.
  await advance(request, 11 * 60);
  const enrollment = row.getByRole('cell').nth(3);
  const before = await enrollment.innerText();
  await row.getByRole('button', { name: 'New enrollment token for web-1' }).click();
  const code = page.getByLabel('Code from your authenticator app');
  await expect(code).toBeFocused();
  await code.fill(await admin.app.code());
  await page.getByRole('button', { name: 'Verify and continue' }).click();
  await expect(outcome).toHaveText('A new enrollment token for web-1: the earlier one no longer works.');
  await expect(shown.getByRole('heading')).toBeFocused();
  const second = await shown.getByLabel('Enrollment token (in the command)').inputValue();
  expect(second).not.toBe(token);
  expect(await shown.getByLabel('Command to run on web-1').inputValue()).toContain(second);
  await shown.getByRole('button', { name: 'Done' }).click();
  await expect(shown).toBeHidden();
  // The list shows the new token's expiry, eleven minutes later than the first.
  await expect(enrollment).not.toHaveText(before);
  await expect(enrollment).toContainText('Waiting for enrollment (token valid until');

  // Remove it, with the keyboard: the confirmation says what happens; Cancel
  // goes back to the button.
  const remove = row.getByRole('button', { name: 'Remove web-1…' });
  await remove.focus();
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('group', { name: 'Remove web-1?' });
  await expect(confirm.getByRole('heading')).toBeFocused();
  await expect(confirm).toContainText('Its logins stop being checked at once');
  await expect(confirm).toContainText('then fails');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(remove).toBeFocused();
  await page.keyboard.press('Enter');
  const yes = confirm.getByRole('button', { name: 'Remove web-1', exact: true });
  await tabTo(page, yes, 5);
  await page.keyboard.press('Enter');
  await expect(outcome).toHaveText('web-1 removed: logins there that ask Portcullis now fail.');
  await expect(page.getByText('No host is registered yet.')).toBeVisible();
  expect(await admin.ok<HostView[]>(admin.get('/admin/hosts'))).toEqual([]);
});

test('an administrator registers a RADIUS client, changes it and removes it', async ({ page, request }) => {
  const admin = await logInAsAdmin(page, request);
  await page.goto('/admin/systems');
  const section = page.getByRole('region', { name: 'RADIUS clients (VPNs and network gear)' });
  await expect(section.getByText('No RADIUS client is registered yet.')).toBeVisible();
  await expect(section).toContainText('only when started with --radius-listen');
  const outcome = section.locator(':scope > p.status-line[role="status"]');
  const problem = section.locator(':scope > p.form-error[role="alert"]');

  // Register Office VPN: without a secret, then one too short (the server's words).
  await section.getByRole('button', { name: 'Register a RADIUS client' }).click();
  const form = section.getByRole('form', { name: 'Register a RADIUS client' });
  await expect(form.getByLabel('Name')).toBeFocused();
  await page.keyboard.type('Office VPN');
  await expect(form).toContainText('The address it sends from: 10.0.0.5, or a block such as 10.0.0.0/24');
  await form.getByLabel('Address').fill('127.0.0.1');
  const secretField = form.getByLabel('Shared secret');
  await expect(secretField).toHaveAttribute('type', 'password');
  await expect(secretField).toHaveAttribute('autocomplete', 'new-password');
  await expect(form.getByLabel('Everyone')).toBeChecked();
  await form.getByRole('button', { name: 'Register the client' }).click();
  await expect(problem).toHaveText('Give the shared secret the client is set up with.');
  await expect(secretField).toBeFocused();
  await secretField.fill('too-short');
  await form.getByRole('button', { name: 'Register the client' }).click();
  await expect(problem).toHaveText(/^The shared secret must be 16 to 128 printable characters without spaces/);
  await expect(section.getByText('No RADIUS client is registered yet.')).toBeVisible();
  const secret = 'office-vpn-shared-secret-2024';
  await secretField.fill(secret);
  await form.getByRole('button', { name: 'Register the client' }).click();
  await expect(outcome).toHaveText('Office VPN registered at 127.0.0.1.');
  await expect(form).toBeHidden();
  await expect(problem).toBeEmpty();

  // The table: its address and who may connect; the secret is nowhere.
  const row = section.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Office VPN' }) });
  await expect(row.getByRole('cell')).toHaveText(['127.0.0.1', 'Everyone', /Change/]);
  expect(await page.content()).not.toContain(secret);
  const [made] = await admin.ok<RadiusClientView[]>(admin.get('/admin/radius-clients'));
  expect(made).toMatchObject({ name: 'Office VPN', address: '127.0.0.1', everyone: true });
  expect(JSON.stringify(made)).not.toContain(secret);

  // Change its address to a block, the secret left empty: none is sent, the old one stays.
  await row.getByRole('button', { name: 'Change Office VPN' }).click();
  const change = section.getByRole('form', { name: 'Change the RADIUS client' });
  await expect(change.getByLabel('Name')).toBeFocused();
  await expect(change.getByLabel('Name')).toHaveValue('Office VPN');
  await expect(change.getByLabel('Address')).toHaveValue('127.0.0.1');
  await expect(change.getByLabel('Shared secret')).toHaveValue('');
  await expect(change).toContainText('Leave empty to keep the current secret');
  await change.getByLabel('Everyone').uncheck();
  await expect(change.getByLabel('People (emails, one per line)')).toBeVisible();
  await accessible(page, 'a RADIUS client and its form');
  await change.getByLabel('Everyone').check();
  await change.getByLabel('Address').fill('10.0.0.0/24');
  const put = page.waitForRequest((r) => r.method() === 'PUT' && r.url().includes('/api/v1/admin/radius-clients/'));
  await change.getByRole('button', { name: 'Save' }).click();
  expect((await put).postDataJSON()).not.toHaveProperty('secret');
  await expect(outcome).toHaveText('Office VPN saved.');
  await expect(change).toBeHidden();
  await expect(row.getByRole('cell').nth(0)).toHaveText('10.0.0.0/24');

  // Remove it once the second factor is older than 10 minutes: the
  // confirmation says what happens, asks for a current code, then removes.
  await advance(request, 11 * 60);
  await row.getByRole('button', { name: 'Remove Office VPN…' }).click();
  const confirm = section.getByRole('group', { name: 'Remove Office VPN?' });
  await expect(confirm.getByRole('heading')).toBeFocused();
  await expect(confirm).toContainText('Its requests are dropped unanswered from then on');
  await confirm.getByRole('button', { name: 'Remove Office VPN', exact: true }).click();
  const code = confirm.getByLabel('Code from your authenticator app');
  await expect(code).toBeFocused();
  await code.fill(await admin.app.code());
  await confirm.getByRole('button', { name: 'Verify and remove' }).click();
  await expect(outcome).toHaveText('Office VPN removed: its requests are dropped unanswered from now on.');
  await expect(section.getByRole('heading', { level: 2, name: 'RADIUS clients (VPNs and network gear)' })).toBeFocused();
  await expect(section.getByText('No RADIUS client is registered yet.')).toBeVisible();
  expect(await admin.ok<RadiusClientView[]>(admin.get('/admin/radius-clients'))).toEqual([]);
});
