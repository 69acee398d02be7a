import { test, expect } from '@playwright/test';
import { Api, CSRF, advance, emailedLink, enrollApp, logIn, logInAsAdmin } from './fixtures';

const MALLORY = 'mallory@example.com';

// Bringing people in: an administrator adds someone, who gets an email with
// a one-time link, chooses a password on the page it opens and sets up MFA
// before any signed-in session exists (an administrator must, at once).

test('an added administrator opens the invitation, chooses a password and sets up an app before signing in', async ({
  page,
  request,
  browser,
}) => {
  await logInAsAdmin(page, request);
  await page.goto('/admin/users');
  const add = page.getByRole('button', { name: 'Add user' });
  await add.click();
  const form = page.getByRole('form', { name: 'Add a user' });
  await form.getByLabel('Name', { exact: true }).fill('Olga Ops');
  await form.getByLabel('Email', { exact: true }).fill('Olga@Example.com');
  await form.getByLabel('Role').selectOption({ label: 'Administrator' });
  await form.getByRole('button', { name: 'Add and send the invitation' }).click();
  await expect(page.getByText('Olga Ops was added. The invitation to olga@example.com is on its way')).toBeVisible();

  // The same address again, whatever its case, is refused in words.
  await add.click();
  await form.getByLabel('Name', { exact: true }).fill('Olga Again');
  await form.getByLabel('Email', { exact: true }).fill('OLGA@example.com');
  await form.getByRole('button', { name: 'Add and send the invitation' }).click();
  await expect(form.getByRole('alert')).toHaveText('A user with the email olga@example.com exists already.');

  // The list shows her as invited.
  await page.getByLabel('Name or email starts with').fill('olga');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.locator('table.users tbody tr').filter({ hasText: 'olga@example.com' })).toContainText('Invited');

  // Her email's link, in her own browser.
  const link = emailedLink('olga@example.com', 'invitation');
  const context = await browser.newContext();
  const olga = await context.newPage();
  await olga.goto(link);
  await expect(olga.getByRole('heading', { name: 'Welcome, Olga Ops' })).toBeVisible();
  // The token leaves the address bar (and the history) at once.
  await expect(olga).toHaveURL(/\/welcome$/);
  const password = olga.getByLabel('New password', { exact: true });
  const again = olga.getByLabel('New password again');
  const submit = olga.getByRole('button', { name: 'Set password and continue' });
  // No factor yet: 15 characters at least, and not a common password.
  await expect(olga.getByText('at least 15 characters')).toBeVisible();
  await password.fill('short');
  await again.fill('short');
  await submit.click();
  await expect(olga.getByRole('alert')).toHaveText('The password must have at least 15 characters.');
  await password.fill('1q2w3e4r5t6y7u8i9o0p');
  await expect(olga.locator('.password-meter')).toContainText('among the most common ones');
  await again.fill('1q2w3e4r5t6y7u8i9o0p');
  await submit.click();
  await expect(olga.getByRole('alert')).toContainText('among the most common ones');
  await password.fill('a quiet harbour at dawn');
  await again.fill('a quiet harbour at dusk');
  await submit.click();
  await expect(olga.getByRole('alert')).toHaveText('The two passwords are not the same.');
  await again.fill('a quiet harbour at dawn');
  await submit.click();

  // An administrator sets up MFA now: no "Remind me later".
  await expect(olga).toHaveURL(/\/enroll$/);
  await expect(olga.getByRole('button', { name: /Remind me later/ })).toHaveCount(0);
  const { app } = await enrollApp(olga, request);
  await expect(olga.getByRole('heading', { name: 'Welcome, Olga Ops' })).toBeVisible();

  // The link worked once.
  await olga.goto(link);
  await expect(olga.getByRole('heading', { name: 'This link does not work' })).toBeVisible();
  await expect(olga.getByRole('alert')).toContainText('Ask your administrator for a new one');

  // She forgets her password: the email's link alone is not enough, her
  // app's code is needed too.
  await olga.goto('/login');
  await olga.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(olga).toHaveURL(/\/forgot$/);
  await olga.getByLabel('Email').fill('olga@example.com');
  await olga.getByRole('button', { name: 'Send the link' }).click();
  await expect(olga.getByRole('status').filter({ hasText: 'If olga@example.com' })).toContainText('is the address of an account');
  await olga.goto(emailedLink('olga@example.com', 'password_reset'));
  await expect(olga.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await olga.getByLabel('New password', { exact: true }).fill('a calm river at noon');
  await olga.getByLabel('New password again').fill('a calm river at noon');
  await olga.getByRole('button', { name: 'Change the password' }).click();
  await expect(olga.getByRole('alert')).toHaveText('Enter a code from your authenticator app, or a recovery code.');
  await olga.getByLabel('Code from your authenticator app, or a recovery code').fill(await app.code());
  await olga.getByRole('button', { name: 'Change the password' }).click();
  await expect(olga.getByRole('heading', { name: 'Your password was changed' })).toBeVisible();
  await logIn(olga, 'olga@example.com', 'a calm river at noon');
  await expect(olga).toHaveURL(/\/login\/mfa$/);
  await context.close();
});

test('an administrator suspends a user, whose login then says so in words, and reactivates them', async ({
  page,
  request,
  browser,
}) => {
  const admin = await logInAsAdmin(page, request);
  const { id } = await admin.user(MALLORY);
  const context = await browser.newContext();
  const mallory = await context.newPage();
  await logIn(mallory, MALLORY);
  await expect(mallory).toHaveURL(/\/$/);

  await page.goto(`/admin/users/${id}`);
  // Every change to the account is in its Actions list.
  const actions = page.getByRole('button', { name: 'Actions' });
  await actions.click();
  await page.getByRole('button', { name: 'Suspend…' }).click();
  const confirm = page.getByRole('group', { name: 'Confirm' });
  await expect(confirm).toContainText('Every session of theirs ends now');
  await confirm.getByRole('button', { name: 'Suspend', exact: true }).click();
  await expect(page.locator('.toast p')).toHaveText('Mallory Moss is suspended and signed out everywhere.');
  await expect(page.getByText('cannot sign in until reactivated')).toBeVisible();

  // Her open session has ended; her password now gets the reason, in words.
  await mallory.goto('/security');
  await expect(mallory).toHaveURL(/\/login\?next=%2Fsecurity$/);
  await logIn(mallory, MALLORY);
  await expect(mallory.getByRole('region', { name: 'You can’t sign in right now' })).toContainText('This account is suspended');

  // The way back is beside the account's state.
  await page.getByRole('button', { name: 'Reactivate…' }).click();
  await confirm.getByRole('button', { name: 'Reactivate', exact: true }).click();
  await expect(page.locator('.toast p')).toHaveText('Mallory Moss is active again.');
  // Unlocking (after 100 failures in a row) has its place in the list too.
  await actions.click();
  await page.getByRole('button', { name: 'Unlock password and factors…' }).click();
  await confirm.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(page.locator('.toast p')).toHaveText("Mallory Moss's password and factors are unlocked.");
  await logIn(mallory, MALLORY);
  await expect(mallory).toHaveURL(/\/$/);
  await context.close();
});

test('an administrator renames a user, then deletes them after typing their email', async ({ page, request }) => {
  const admin = await logInAsAdmin(page, request);
  const { id } = await admin.user('olga@example.com');
  await page.goto(`/admin/users/${id}`);
  const account = page.getByRole('region', { name: 'Account' });
  await account.getByRole('button', { name: 'Edit name, email or role…' }).click();
  await account.getByLabel('Name').fill('Olga Ops-Smith');
  await account.getByRole('button', { name: 'Save' }).click();
  await expect(account.getByRole('status')).toHaveText('Saved. The change is in the event log.');
  await expect(page.getByRole('heading', { level: 1, name: 'Olga Ops-Smith' })).toBeVisible();

  await account.getByRole('button', { name: 'Delete user…' }).click();
  await account.getByLabel('Their email address').fill('someone@example.com');
  await account.getByRole('button', { name: 'Delete for good' }).click();
  await expect(account.getByRole('alert')).toContainText('type their email address, olga@example.com, to confirm');
  await account.getByLabel('Their email address').fill('olga@example.com');
  await account.getByRole('button', { name: 'Delete for good' }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  expect((await admin.refused(admin.get(`/admin/users/${id}`), 404)).code).toBe('not_found');
});

test('an administrator makes a group, puts a user in it and lists its members', async ({ page, request }) => {
  const admin = await logInAsAdmin(page, request);
  await page.goto('/admin/groups');
  await page.getByLabel('Name of the new group').fill('Support');
  await page.getByRole('button', { name: 'Create group' }).click();
  await expect(page.locator('.toast p')).toHaveText('Group Support created.');
  // A second one of the same name, whatever its case, is refused in words.
  await page.getByLabel('Name of the new group').fill('SUPPORT');
  await page.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByRole('alert')).toHaveText('A group named SUPPORT exists already.');

  const { id } = await admin.user('judy@example.com');
  await page.goto(`/admin/users/${id}`);
  const groups = page.getByRole('region', { name: 'Groups' });
  await expect(groups).toContainText('In no group.');
  await groups.getByLabel('Add to group').selectOption({ label: 'Support' });
  await groups.getByRole('button', { name: 'Add' }).click();
  await expect(groups.getByRole('status')).toHaveText('Added to the group.');
  await expect(groups.getByRole('button', { name: 'Take out of Support' })).toBeVisible();

  await page.goto('/admin/groups');
  await page.getByRole('link', { name: '1 member' }).click();
  await expect(page).toHaveURL(/\/admin\/users\?group=/);
  await expect(page.locator('table.users tbody tr')).toHaveCount(1);
  await expect(page.locator('table.users tbody tr')).toContainText('judy@example.com');
  await expect(page.getByLabel('Group')).toHaveValue(/.+/);
});

test('an administrator imports a CSV file: each bad row named in words, nothing written until the valid rows are chosen', async ({
  page,
  request,
}) => {
  await logInAsAdmin(page, request);
  await page.goto('/admin/users');
  await page.getByRole('button', { name: 'Import users' }).click();
  const file = page.getByLabel('CSV file', { exact: true });
  const choose = (name: string, text: string) =>
    file.setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });

  // Files refused as a whole, in words.
  await choose('wrong.csv', 'name,email,phone\nA,a@example.com,1\n');
  await expect(page.locator('.import-users').getByRole('alert').first()).toContainText('a column "phone"');
  const many = ['name,email', ...Array.from({ length: 10001 }, (_, i) => `P ${i},p${i}@example.com`)].join('\n');
  await choose('many.csv', many);
  await expect(page.locator('.import-users').getByRole('alert').first()).toContainText(
    'The file has 10001 rows; import at most 10000 at a time',
  );

  // A spreadsheet's export with a byte-order mark and one of each bad row.
  const csv =
    '\uFEFFname,email,role,groups\r\n' +
    'Nora North,Nora@Example.com,user,Imported\r\n' +
    '=1+2,formula@example.com,,\r\n' +
    'Judy Again,JUDY@example.com,,\r\n' +
    'Not an address,nora.example.com,,\r\n' +
    'Rolf,rolf@example.com,boss,\r\n' +
    'Nora Twice,nora@example.com,,\r\n';
  await choose('people.csv', csv);
  await expect(page.getByText('The file has 6 rows: 1 ready to import, 5 with problems. New groups it makes: Imported.')).toBeVisible();
  const problems = page.getByRole('table', { name: 'Rows that cannot be imported' }).locator('tbody tr');
  await expect(problems).toHaveCount(5);
  await expect(problems.nth(0)).toContainText('which a spreadsheet would run as a formula');
  await expect(problems.nth(1)).toContainText('A user with the email judy@example.com exists already.');
  await expect(problems.nth(2)).toContainText('nora.example.com');
  await expect(problems.nth(3)).toContainText('The role "boss"');
  await expect(problems.nth(4)).toContainText('The email nora@example.com is on line 2 already.');
  // Nothing is written by the preview.
  await page.getByLabel('Account state').selectOption({ label: 'Invited (no password yet)' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const listed = page.locator('table.users:not(.import-problems) tbody tr');
  await expect(listed.filter({ hasText: 'nora@example.com' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Import only the valid row' }).click();
  await expect(page.getByText('Imported 1 user. Each was emailed an invitation')).toBeVisible();
  const row = listed.filter({ hasText: 'nora@example.com' });
  await expect(row).toContainText('Invited');
  expect(emailedLink('nora@example.com', 'invitation')).toContain('/welcome#');
});

test('a temporary access code from the helpdesk lets a user who lost their phone set up a new app', async ({
  page,
  request,
  browser,
}) => {
  // Mallory has an app, on the phone she then loses.
  const context = await browser.newContext();
  const mallory = await context.newPage();
  const own = new Api(context.request);
  await own.login(MALLORY);
  const lost = await own.enrollTotp();
  await own.post('/logout');

  const admin = await logInAsAdmin(page, request);
  const { id } = await admin.user(MALLORY);
  await page.goto(`/admin/users/${id}`);
  await page.getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('button', { name: 'Make a temporary access code…' }).click();
  // How long it works is asked in the confirmation, whose question follows.
  await page.getByLabel('The code works').selectOption({ label: 'as often as needed for 4 hours' });
  await expect(page.getByText('Make a temporary access code for Mallory Moss, working as often as needed for 4 hours?')).toBeVisible();
  await page.getByLabel('The code works').selectOption({ label: 'once within 1 hour' });
  await expect(page.getByText('Make a temporary access code for Mallory Moss, working once within 1 hour?')).toBeVisible();
  await page.getByRole('button', { name: 'Make the code' }).click();
  const shown = page.getByRole('group', { name: 'Temporary access code' });
  await expect(shown).toContainText('is not shown again');
  const code = await shown.getByLabel('Temporary access code for Mallory Moss').inputValue();
  expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  await expect(page.getByText(/A temporary access code works until/)).toBeVisible();

  // At her login she uses it instead of the lost app, then sets up a new one.
  await logIn(mallory, MALLORY);
  await expect(mallory).toHaveURL(/\/login\/mfa$/);
  await mallory.getByRole('button', { name: 'Use a code from your helpdesk' }).click();
  await mallory.getByRole('textbox', { name: 'Code from your helpdesk' }).fill('AAAA-BBBB-CCCC');
  await mallory.getByRole('button', { name: 'Verify' }).click();
  await expect(mallory.getByRole('alert')).toContainText('That code does not work');
  await mallory.getByRole('textbox', { name: 'Code from your helpdesk' }).fill(code.toLowerCase());
  await mallory.getByRole('button', { name: 'Verify' }).click();
  await expect(mallory).toHaveURL(/\/enroll/);
  await expect(mallory.getByText('Your helpdesk’s code let you in to set up a new way to sign in.')).toBeVisible();
  await expect(mallory.getByRole('button', { name: /Remind me later/ })).toHaveCount(0);
  await enrollApp(mallory, request);
  await expect(mallory.getByRole('heading', { name: 'Welcome, Mallory Moss' })).toBeVisible();

  // The lost phone's codes no longer work.
  const thief = new Api((await browser.newContext()).request);
  await thief.login(MALLORY);
  await thief.refused(thief.post('/login/totp', { code: await lost.code() }), 401);
  await context.close();
});

test('an administrator makes a directory sync token, an identity provider provisions a user with it, and it is revoked', async ({
  page,
  request,
  playwright,
}) => {
  await logInAsAdmin(page, request);
  await page.goto('/admin/mfa');
  const section = page.getByRole('region', { name: 'Directory sync (SCIM)' });
  await section.getByLabel('Identity provider').fill('Okta');
  await section.getByRole('button', { name: 'Make a token' }).click();
  await expect(section.getByRole('status')).toHaveText('Token for Okta made: copy it now.');
  const token = await section.getByLabel('Bearer token').inputValue();
  expect(token).toMatch(/^pcscim_/);
  const scimUrl = (await section.locator('code.scim-url').textContent())!;

  // The identity provider, with its own HTTP client.
  const idp = await playwright.request.newContext({ extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const created = await idp.post(`${scimUrl}/Users`, {
    headers: { 'Content-Type': 'application/scim+json' },
    data: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'peggy@example.com',
      name: { givenName: 'Peggy', familyName: 'Provisioned' },
      emails: [{ value: 'peggy@example.com', primary: true }],
    },
  });
  expect(created.status()).toBe(201);
  await page.goto('/admin/users?search=peggy');
  await expect(page.locator('table.users tbody tr').filter({ hasText: 'peggy@example.com' })).toContainText('Invited');
  expect(emailedLink('peggy@example.com', 'invitation')).toContain('/welcome#');

  await page.goto('/admin/mfa');
  await expect(section.getByRole('cell', { name: 'Okta', exact: true })).toBeVisible();
  await section.getByRole('button', { name: 'Revoke the token for Okta' }).click();
  await section.getByRole('button', { name: 'Yes, revoke it: Okta can no longer sync' }).click();
  await expect(section.getByRole('status')).toHaveText('Token revoked.');
  expect((await idp.get(`${scimUrl}/Users`)).status()).toBe(401);
  await idp.dispose();
});

test('an account capped by a hundred wrong passwords in a row is unlocked on its page, and signs in again', async ({
  page,
  request,
  browser,
}) => {
  // A hundred wrong passwords, each from an address of its own (the portal
  // trusts this proxy's X-Forwarded-For) and a minute apart: the account's
  // own count of failures in a row is what stops it.
  for (let i = 1; i <= 100; i++) {
    const r = await request.post('/api/v1/login', {
      headers: { ...CSRF, 'x-forwarded-for': `198.51.100.${i}` },
      data: { email: MALLORY, password: 'not her password at all' },
    });
    expect(r.status(), `failure ${i}`).toBe(401);
    await advance(request, 60);
  }
  const context = await browser.newContext();
  const mallory = await context.newPage();
  await logIn(mallory, MALLORY);
  await expect(mallory.getByRole('region', { name: 'You can’t sign in right now' })).toContainText(
    'Signing in to this account is suspended after too many failed attempts in a row. Contact your administrator to unlock it.',
  );

  const admin = await logInAsAdmin(page, request);
  const { id } = await admin.user(MALLORY);
  await page.goto(`/admin/users/${id}`);
  await page.getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('button', { name: 'Unlock password and factors…' }).click();
  await page.getByRole('group', { name: 'Confirm' }).getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(page.locator('.toast p')).toHaveText("Mallory Moss's password and factors are unlocked.");
  // Her password passes again: signed in, or on to her second factor when
  // an earlier test gave her one.
  await logIn(mallory, MALLORY);
  await expect(mallory).toHaveURL(/\/(login\/mfa)?$/);
  await expect(mallory.getByRole('region', { name: 'You can’t sign in right now' })).toHaveCount(0);
  await context.close();
});
