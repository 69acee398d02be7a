import { test, expect, Page } from '@playwright/test';
import { Admin, Api, expectAccessible, logInAsAdmin, tabTo } from './fixtures';

// The admin area as a worklist: counts by status that filter the users
// list, a selection bar that sticks to the bottom of the screen, cards on
// phones, suspended accounts with the way back beside them, a user's page
// with one Actions button, and an event log that says who did what.
// Its users are made here (emails starting "wl-"), so that what other
// specs did to the demo's users changes nothing.

interface Listed {
  id: string;
  email: string;
  display_name: string;
  mfa: { status: string };
  invited: boolean;
  suspended: boolean;
}

const STATUSES: [string, string][] = [
  ['enrollment_expired', 'Enrollment expired (locked out)'],
  ['required_no_period', 'Required, no enrollment period'],
  ['enrollment_period', 'In enrollment period'],
  ['none', 'No MFA'],
  ['set_up_not_required', 'Set up, not required'],
  ['active', 'Active'],
];

async function everyone(admin: Api): Promise<Listed[]> {
  const page = await admin.ok<{ users: Listed[]; next_after?: string | null }>(admin.get('/admin/users?limit=100'));
  expect(page.next_after ?? null, 'one page holds everyone').toBeNull();
  return page.users;
}

/** Adds a user (invited: no password yet) unless they exist already. */
async function addUser(admin: Admin, email: string, name: string): Promise<Listed> {
  const known = (await everyone(admin)).find((u) => u.email === email);
  if (known) return known;
  return admin.ok<Listed>(admin.post('/admin/users', { email, display_name: name, role: 'user' }));
}

const tiles = (page: Page) => page.getByRole('navigation', { name: 'Users by status' });
const bar = (page: Page) => page.getByRole('region', { name: 'Selected users' });
const rows = (page: Page) => page.locator('table.users tbody tr');
const toast = (page: Page) => page.locator('.toast p');

test('the tiles count the users in each status and filter the list, by pointer and by keyboard', async ({ page, request }) => {
  const admin = await logInAsAdmin(page, request);
  await addUser(admin, 'wl-invited@example.com', 'Ivy Invited');
  const users = await everyone(admin);
  const count = (status: string) => users.filter((u) => u.mfa.status === status).length;

  await page.goto('/admin/users');
  await expect(page.locator('.result-count')).toHaveText(/users shown/);
  const all = tiles(page).getByRole('link', { name: `${users.length} All users`, exact: true });
  await expect(all).toHaveAttribute('aria-current', 'true');
  for (const [status, label] of STATUSES) {
    await expect(tiles(page).getByRole('link', { name: `${count(status)} ${label}`, exact: true }), status).toBeVisible();
  }
  const invited = users.filter((u) => u.invited).length;
  const suspended = users.filter((u) => u.suspended).length;
  await expect(tiles(page).getByRole('link', { name: `${invited} Invited`, exact: true })).toBeVisible();
  await expect(tiles(page).getByRole('link', { name: `${suspended} Suspended`, exact: true })).toBeVisible();

  // A tile filters the list: the filter goes into the URL and the form,
  // the list has exactly that many users, and the tile is the current one.
  const period = tiles(page).getByRole('link', { name: new RegExp(`^${count('enrollment_period')} In enrollment period$`) });
  await period.click();
  await expect(page).toHaveURL(/\/admin\/users\?status=enrollment_period$/);
  await expect(page.getByLabel('MFA status')).toHaveValue('enrollment_period');
  await expect(rows(page)).toHaveCount(count('enrollment_period'));
  await expect(period).toHaveAttribute('aria-current', 'true');
  await expect(all).not.toHaveAttribute('aria-current', /.*/);
  // Only users still enrolling have a deadline shown; here, all of them.
  for (const cell of await rows(page).locator('td.deadline').all()) {
    await expect(cell).not.toBeEmpty();
  }

  // By keyboard: Tab to the "Active" tile, Enter.
  const active = tiles(page).getByRole('link', { name: `${count('active')} Active`, exact: true });
  await tabTo(page, active);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/admin\/users\?status=active$/);
  await expect(rows(page)).toHaveCount(count('active'));
  await expect(active).toHaveAttribute('aria-current', 'true');
  // Active users have no deadline to watch: the column is empty for them.
  for (const cell of await rows(page).locator('td.deadline').all()) {
    await expect(cell).toBeEmpty();
  }

  // The invited tile lists the invited account, marked so in words.
  await tiles(page).getByRole('link', { name: `${invited} Invited`, exact: true }).click();
  await expect(page).toHaveURL(/account=invited$/);
  await expect(rows(page).filter({ hasText: 'wl-invited@example.com' })).toContainText('Invited');
});

test('three users picked show "3 selected" in a bar at the bottom; the review names them; a toast says it is done', async ({ page, request }) => {
  const admin = await logInAsAdmin(page, request);
  for (const [email, name] of [
    ['wl-ann@example.com', 'Ann Worklist'],
    ['wl-ben@example.com', 'Ben Worklist'],
    ['wl-cleo@example.com', 'Cleo Worklist'],
  ]) {
    await addUser(admin, email, name);
  }
  await page.setViewportSize({ width: 1280, height: 600 });
  await page.goto('/admin/users');
  await expect(page.locator('.result-count')).toHaveText(/users shown/);
  await expect(bar(page)).toBeHidden();

  // In the whole list, taller than the screen: the bar sticks to its bottom.
  await page.getByRole('checkbox', { name: 'Select Ann Worklist' }).check();
  await expect(bar(page).getByRole('status')).toHaveText('1 selected');
  const box = await bar(page).boundingBox();
  expect(box, 'the bar is shown').not.toBeNull();
  expect(box!.y + box!.height).toBeLessThanOrEqual(600);
  expect(box!.y + box!.height).toBeGreaterThan(560);
  await page.getByRole('checkbox', { name: 'Select Ann Worklist' }).uncheck();
  await expect(bar(page)).toBeHidden();

  await page.goto('/admin/users?search=wl-');
  await expect(page.locator('.result-count')).toHaveText(/users shown/);
  for (const name of ['Ann Worklist', 'Ben Worklist', 'Cleo Worklist']) {
    await page.getByRole('checkbox', { name: `Select ${name}` }).check();
  }
  await expect(bar(page).getByRole('status')).toHaveText('3 selected');

  // Every button of the bar is reached by Tab; Enter opens the review,
  // which takes the focus and names the three.
  for (const name of ['Reset MFA', 'Clear the selection', 'Require MFA']) {
    await tabTo(page, bar(page).getByRole('button', { name, exact: true }));
  }
  await page.keyboard.press('Enter');
  const review = bar(page).getByRole('group', { name: 'Confirm: Require MFA' });
  await expect(review.getByRole('heading')).toBeFocused();
  await expect(review).toContainText('3 users will change');
  await expect(review).toContainText('For Ann Worklist, Ben Worklist and Cleo Worklist.');
  await expectAccessible(page, 'the review in the selection bar');
  // The period is checked here, before anything runs.
  await review.getByLabel('Days to set up MFA (1–365)').fill('400');
  await review.getByRole('button', { name: 'Require MFA for 3 users' }).click();
  await expect(review.getByText('Enter a whole number of days from 1 to 365.')).toBeVisible();
  await review.getByLabel('Days to set up MFA (1–365)').fill('10');
  await review.getByRole('button', { name: 'Require MFA for 3 users' }).click();

  // Done: a toast says so, the bar goes, the focus is back on the table,
  // and the rows say what changed.
  await expect(toast(page)).toHaveText(/^Require MFA: 3 users changed/);
  await expect(bar(page)).toBeHidden();
  await expect(page.locator('#users-table')).toBeFocused();
  for (const email of ['wl-ann@example.com', 'wl-ben@example.com', 'wl-cleo@example.com']) {
    await expect(rows(page).filter({ hasText: email })).toContainText('Invited');
    const u = (await everyone(admin)).find((x) => x.email === email)!;
    expect(u.mfa).toEqual({ status: 'enrollment_period', days_left: 10 });
  }
  // The toast does not stay past the next action.
  await page.getByRole('checkbox', { name: 'Select Ann Worklist' }).check();
  await bar(page).getByRole('button', { name: 'Reset MFA', exact: true }).click();
  await expect(bar(page).getByRole('group', { name: 'Confirm: Reset MFA' })).toBeVisible();
  await expect(toast(page)).toHaveCount(0);
  // Cancel gives the focus back to the button that opened the review.
  await bar(page).getByRole('button', { name: 'Cancel' }).click();
  await expect(bar(page).getByRole('button', { name: 'Reset MFA', exact: true })).toBeFocused();

  // Clear, by keyboard: the selection empties, the focus returns to the table.
  const ben = page.getByRole('checkbox', { name: 'Select Ben Worklist' });
  await tabTo(page, ben);
  await page.keyboard.press('Space');
  await expect(bar(page).getByRole('status')).toHaveText('2 selected');
  await tabTo(page, bar(page).getByRole('button', { name: 'Clear the selection' }));
  await page.keyboard.press('Enter');
  await expect(bar(page)).toBeHidden();
  await expect(page.getByRole('checkbox', { name: 'Select Ann Worklist' })).not.toBeChecked();
  await expect(ben).not.toBeChecked();
  await expect(page.locator('#users-table')).toBeFocused();

  // Every user of a filter: the review names ten, then says how many more.
  await page.goto('/admin/users');
  await page.getByLabel(/Act on all/).check();
  await expect(bar(page).getByRole('status')).toHaveText('Every user (no filter is applied)');
  await bar(page).getByRole('button', { name: 'Reset MFA', exact: true }).click();
  const all = bar(page).getByRole('group', { name: 'Confirm: Reset MFA' });
  await expect(all.locator('.whom')).toHaveText(/^For ([^,]+, ){9}[^,]+ and \d+ more\.$/);
  await all.getByRole('button', { name: 'Cancel' }).click();
});

test('at 320 px the users list is a column of cards, and nothing scrolls sideways', async ({ page, request }) => {
  await logInAsAdmin(page, request);
  await page.setViewportSize({ width: 320, height: 700 });
  await page.goto('/admin/users');
  await expect(page.locator('.result-count')).toHaveText(/users shown/);
  // The list's screen (everything in <main>) fits: nothing reaches past
  // the screen's edge, nothing scrolls sideways. (The header is the app
  // shell's, checked by layout.spec.ts.)
  const fits = async () => {
    const [width, wide] = await page.evaluate(() => {
      const main = document.querySelector('main')!;
      const past = [...main.querySelectorAll('*')]
        .filter((el) => el.getBoundingClientRect().right > 321)
        .map((el) => `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`);
      return [Math.max(main.scrollWidth, main.getBoundingClientRect().right), past.slice(0, 12).join(' ')] as const;
    });
    expect(wide, 'nothing reaches past the screen').toBe('');
    return width;
  };
  expect(await fits()).toBeLessThanOrEqual(320);
  // Each row is a card: a block with a border, its cells one under another,
  // the name first; the sortable headers stay as buttons.
  const card = rows(page).filter({ hasText: 'alice@example.com' });
  await expect(card).toHaveCSS('display', 'block');
  await expect(card.getByRole('link', { name: 'Alice Anders' })).toBeVisible();
  await expect(card.locator('td.status-cell')).toHaveCSS('display', 'block');
  const name = await card.getByRole('link', { name: 'Alice Anders' }).boundingBox();
  const email = await card.getByText('alice@example.com').boundingBox();
  expect(email!.y).toBeGreaterThan(name!.y);
  await expect(page.getByRole('columnheader', { name: 'Name' }).getByRole('button')).toBeVisible();
  // With the bar shown too.
  await card.getByRole('checkbox').check();
  await expect(bar(page)).toBeVisible();
  expect(await fits()).toBeLessThanOrEqual(320);
  await bar(page).getByRole('button', { name: 'Require MFA', exact: true }).click();
  await expect(bar(page).getByRole('group', { name: 'Confirm: Require MFA' })).toBeVisible();
  expect(await fits()).toBeLessThanOrEqual(320);
  await bar(page).getByRole('button', { name: 'Cancel' }).click();
});

test('a suspended account says so on the list and on its page, with Reactivate beside it', async ({ page, request }) => {
  const admin = await logInAsAdmin(page, request);
  const dora = await addUser(admin, 'wl-dora@example.com', 'Dora Worklist');
  if (!(await everyone(admin)).find((u) => u.id === dora.id)!.suspended) {
    await admin.ok(admin.post(`/admin/users/${dora.id}/suspend`));
  }
  await page.goto('/admin/users?account=suspended');
  const row = rows(page).filter({ hasText: 'wl-dora@example.com' });
  await expect(row).toContainText('Suspended');
  await expect(tiles(page).getByRole('link', { name: /^\d+ Suspended$/ })).toHaveAttribute('aria-current', 'true');
  await row.getByRole('link', { name: 'Reactivate… Dora Worklist' }).click();

  // The user's page opens with the confirmation asked for, beside the
  // account's state.
  await expect(page.getByRole('heading', { level: 1, name: 'Dora Worklist' })).toBeVisible();
  await expect(page.getByText('Suspended: cannot sign in until reactivated.')).toBeVisible();
  const confirm = page.getByRole('group', { name: 'Confirm' });
  await expect(confirm.getByRole('heading')).toBeFocused();
  await expect(confirm).toContainText('Reactivate Dora Worklist? They can sign in again as before.');
  await expectAccessible(page, 'a suspended user with the confirmation open');
  await confirm.getByRole('button', { name: 'Cancel' }).click();

  // One Actions button holds every change; Escape closes its list and
  // gives the focus back.
  const actions = page.getByRole('button', { name: 'Actions' });
  await expect(actions).toHaveAttribute('aria-expanded', 'false');
  await actions.click();
  await expect(actions).toHaveAttribute('aria-expanded', 'true');
  for (const item of ['Require MFA…', 'Reset MFA…', 'Send the invitation again…', 'Unlock password and factors…', 'Reactivate…']) {
    await expect(page.locator('#user-actions-list').getByRole('button', { name: item }), item).toBeVisible();
  }
  await expectAccessible(page, 'a user’s Actions list open');
  await page.keyboard.press('Escape');
  await expect(actions).toHaveAttribute('aria-expanded', 'false');
  await expect(actions).toBeFocused();

  // The button beside the state reactivates.
  await page.locator('.account-state').getByRole('button', { name: 'Reactivate…' }).click();
  await confirm.getByRole('button', { name: 'Reactivate', exact: true }).click();
  await expect(page.locator('.toast p')).toHaveText('Dora Worklist is active again.');
  await expect(page.getByText('Suspended: cannot sign in until reactivated.')).toHaveCount(0);
  await page.goto('/admin/users?search=wl-dora');
  await expect(rows(page).filter({ hasText: 'wl-dora@example.com' })).not.toContainText('Suspended');
  await expect(rows(page).getByRole('link', { name: /Reactivate/ })).toHaveCount(0);
});

test('the event log says who did what and how it ended, in words, and never "Someone not signed in"', async ({ page, request, playwright, baseURL }) => {
  // A visitor tries an address that is no account, and a real one with a
  // wrong password.
  const visitor = await playwright.request.newContext({ baseURL });
  const api = new Api(visitor);
  await api.refused(api.post('/login', { email: 'wl-nobody@example.com', password: 'not the password' }), 401);
  await api.refused(api.post('/login', { email: 'alice@example.com', password: 'not the password' }), 401);
  await visitor.dispose();

  await logInAsAdmin(page, request);
  await page.goto('/admin/events?kind=login_failed');
  await expect(page.locator('.result-count')).toHaveText(/events? shown/);
  const log = page.locator('table.events tbody tr');
  await expect(page.getByRole('columnheader')).toHaveText(['Time', 'Who', 'What', 'Outcome']);
  const unknown = log.filter({ hasText: /Unknown visitor from [0-9.:a-f]+/ }).first();
  await expect(unknown).toContainText('Sign-in refused');
  await expect(unknown.locator('td.result')).toHaveText('Refused');
  await expect(unknown.locator('td.result svg')).toHaveCount(1);
  await expect(log.filter({ hasText: 'alice@example.com' }).first()).toContainText('Unknown visitor');
  await expect(page.getByText('Someone not signed in')).toHaveCount(0);

  await page.goto('/admin/events?outcome=success');
  await expect(page.locator('.result-count')).toHaveText(/events? shown/);
  await expect(log.first().locator('td.result')).toHaveText('Succeeded');
  await expect(log.locator('td.result', { hasText: 'Refused' })).toHaveCount(0);
  await expect(page.getByText('Someone not signed in')).toHaveCount(0);
});

test("axe finds nothing in the worklist's states, in both schemes", async ({ page, request }) => {
  // seven states, each analysed twice on the admin area's largest pages
  test.setTimeout(90_000);
  const admin = await logInAsAdmin(page, request);
  await page.goto('/admin/users?status=enrollment_period');
  await expect(page.locator('.result-count')).toHaveText(/users? shown|No users/);
  await expect(tiles(page).getByRole('link', { name: /In enrollment period$/ })).toHaveAttribute('aria-current', 'true');
  await expectAccessible(page, 'tiles with one current');

  await page.goto('/admin/users');
  await expect(page.locator('.result-count')).toHaveText(/users shown/);
  await page.getByRole('checkbox', { name: 'Select Alice Anders' }).check();
  await expect(bar(page)).toBeVisible();
  await expectAccessible(page, 'the selection bar');
  await bar(page).getByRole('button', { name: 'Require MFA', exact: true }).click();
  await expect(bar(page).getByRole('group', { name: 'Confirm: Require MFA' })).toBeVisible();
  await expectAccessible(page, 'the review');
  await bar(page).getByRole('button', { name: 'Cancel' }).click();

  await page.setViewportSize({ width: 320, height: 700 });
  await expectAccessible(page, 'the cards at 320 px');
  await page.setViewportSize({ width: 1280, height: 800 });

  const { id } = await admin.user('alice@example.com');
  await page.goto(`/admin/users/${id}`);
  await page.getByRole('button', { name: 'Actions' }).click();
  await expectAccessible(page, 'the Actions list');
  await page.getByRole('button', { name: 'Reset MFA…' }).click();
  await expect(page.getByRole('group', { name: 'Confirm' }).getByRole('heading')).toBeFocused();
  await expectAccessible(page, 'a confirmation with its period');
  await page.getByRole('button', { name: 'Cancel' }).click();

  await page.goto('/admin/events');
  await expect(page.locator('.result-count')).toHaveText(/events? shown/);
  await expectAccessible(page, 'the event log');
});
