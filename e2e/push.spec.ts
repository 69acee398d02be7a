import { test, expect, Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { adminWithMfa, advance, chooseInMenu, logIn, logInAsAdmin, logOut } from './fixtures';

// Protect push in real Chromium, approved by the real `protect` binary
// (the phone's stand-in), which scans the portal's QR code from a
// screenshot. Judy (no MFA set up, nothing required) enrolls and ends
// without a device again, as the specs after this one expect.
const USER = 'judy@example.com';
const PROTECT = process.env.PROTECT_BIN ?? 'target/debug/protect';
const state = join(mkdtempSync(join(tmpdir(), 'protect-e2e-')), 'state.json');

interface Run {
  code: number;
  out: string;
}

/** Runs `protect ARGS --state …` (Playwright runs from the repository root). */
async function protect(...args: string[]): Promise<Run> {
  return protectWith(state, ...args);
}

/** Runs `protect ARGS` with the state file of another phone. */
async function protectWith(stateFile: string, ...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(PROTECT, [...args, '--state', stateFile]);
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, out: (err.stdout ?? '') + (err.stderr ?? '') };
  }
}

/** The number the login page shows for the push. */
async function shownNumber(page: Page): Promise<string> {
  const number = page.locator('.push-number');
  await expect(number).toHaveText(/^\d\d$/);
  return (await number.textContent())!;
}

function otherNumber(n: string): string {
  return n === '10' ? '11' : '10';
}

// The portal's clock is moved only by the 61 s of the expiry below: the
// device signs with the offset to the portal's clock it learned at
// enrollment, and a jump of minutes would look like a wrong device clock.

test('enroll protect from the QR code, then approve a login with the number shown', async ({ page }) => {
  await logIn(page, USER);
  await expect(page).toHaveURL(/\/$/);
  await chooseInMenu(page, 'Security');
  const section = page.getByRole('region', { name: 'Sign-in methods' });
  await section.getByRole('button', { name: 'Add a sign-in method' }).click();
  await section.getByRole('button', { name: /^Protect push/ }).click();
  await expect(section.getByRole('heading', { name: 'Set up Protect push' })).toBeFocused();
  const qr = section.locator('.qr');
  await expect(qr).toBeVisible();
  const shot = join(mkdtempSync(join(tmpdir(), 'protect-qr-')), 'qr.png');
  await qr.screenshot({ path: shot });
  const enrolled = await protect('enroll', '--qr', shot, '--label', 'Judy’s test phone', '--type', 'Pixel 8', '--os', 'Android 15', '--uv', 'biometric');
  expect(enrolled.code, enrolled.out).toBe(0);
  expect(enrolled.out).toContain(USER);
  await section.getByRole('button', { name: 'Done' }).click();
  await expect(section).toContainText('Judy’s test phone');
  await expect(section).toContainText('Pixel 8');
  await expect(section).toContainText('Android 15');
  await expect(section).toContainText('Biometrics');

  await logOut(page);
  await logIn(page, USER);
  await expect(page).toHaveURL(/\/login\/mfa$/);
  await expect(page.getByRole('heading', { name: 'Protect push' })).toBeVisible();
  const number = await shownNumber(page);
  const pending = await protect('pending');
  expect(pending.out).toContain('User Portal');
  const approved = await protect('approve', '--number', number, '--uv');
  expect(approved.code, approved.out).toBe(0);
  await expect(page.getByRole('heading', { name: 'Welcome, Judy Jones' })).toBeVisible();

  // Move to a new phone, from the phone's Actions: a new link, which the
  // new phone enrolls with; it replaces the old one, which is forgotten.
  await chooseInMenu(page, 'Security');
  await section.getByRole('button', { name: 'Actions for Judy’s test phone' }).click();
  await section.getByRole('button', { name: 'Move to a new phone' }).click();
  await expect(section.getByRole('heading', { name: 'Set up Protect push' })).toBeFocused();
  const newShot = join(mkdtempSync(join(tmpdir(), 'protect-qr-')), 'qr.png');
  await section.locator('.qr').screenshot({ path: newShot });
  const newPhone = join(mkdtempSync(join(tmpdir(), 'protect-e2e-')), 'state.json');
  const moved = await protectWith(newPhone, 'enroll', '--qr', newShot, '--label', 'Judy’s new phone', '--type', 'Pixel 8', '--os', 'Android 15', '--uv', 'biometric');
  expect(moved.code, moved.out).toBe(0);
  await section.getByRole('button', { name: 'Done' }).click();
  await expect(section).toContainText('Judy’s new phone');
  await expect(section).not.toContainText('Judy’s test phone');
  const old = await protect('status');
  expect(old.code, old.out).not.toBe(0);
  // The tests below drive Judy's phone: the new one now.
  copyFileSync(newPhone, state);
});

test('deny, a wrong number, expiry and a second push within the minute are each said in words', async ({ page, request }) => {
  await logIn(page, USER);
  await expect(page).toHaveURL(/\/login\/mfa$/);

  // Denied on the phone.
  await shownNumber(page);
  expect((await protect('deny')).code).toBe(0);
  await expect(page.getByRole('alert')).toContainText(/denied/i);

  // A wrong number is a denial too.
  await page.getByRole('button', { name: 'Send another push' }).click();
  const number = await shownNumber(page);
  const wrong = await protect('approve', '--number', otherNumber(number));
  expect(wrong.out).toMatch(/wrong number/i);
  await expect(page.getByRole('alert')).toContainText(/denied/i);

  // A push nobody answers expires after 60 s (the clock moved; the test
  // clock wakes the browser's long-poll, so the expiry shows at once).
  await page.getByRole('button', { name: 'Send another push' }).click();
  await shownNumber(page);
  await advance(request, 61);
  await expect(page.getByRole('alert')).toContainText('expired');

  // Another push right away is fine (the last one expired); a second one
  // while it is outstanding, from another login, is refused in words.
  await page.getByRole('button', { name: 'Send another push' }).click();
  await shownNumber(page);
  const other = await page.context().browser()!.newContext();
  const otherPage = await other.newPage();
  await logIn(otherPage, USER);
  await expect(otherPage.getByRole('alert')).toContainText(/push|wait/i);
  await other.close();
  const number2 = await shownNumber(page);
  const final = await protect('approve', '--number', number2);
  expect(final.code, final.out).toBe(0);
  await expect(page.getByRole('heading', { name: 'Welcome, Judy Jones' })).toBeVisible();
});

test('with fingerprint, face or PIN always required, an approval without is refused on both sides', async ({ page, request }) => {
  const admin = await adminWithMfa(request);
  await admin.settings({ push_biometric: 'always' });
  try {
    await logIn(page, USER);
    await expect(page).toHaveURL(/\/login\/mfa$/);
    const number = await shownNumber(page);
    const without = await protect('approve', '--number', number);
    expect(without.out).toMatch(/requires you to confirm each push with your fingerprint, face or PIN/);
    await expect(page.getByRole('alert')).toContainText('requires you to confirm it with your fingerprint, face or PIN');
    await page.getByRole('button', { name: 'Send another push' }).click();
    const again = await shownNumber(page);
    const verified = await protect('approve', '--number', again, '--uv');
    expect(verified.code, verified.out).toBe(0);
    await expect(page.getByRole('heading', { name: 'Welcome, Judy Jones' })).toBeVisible();
  } finally {
    await admin.settings({ push_biometric: 'never' });
  }
});

test('an administrator sees the device in the user’s details and deletes it; protect then says it is not enrolled', async ({ page, request }) => {
  const admin = await logInAsAdmin(page, request);
  const judy = await admin.user(USER);
  await page.goto(`/admin/users/${judy.id}`);
  const pane = page.getByRole('region', { name: 'Protect push' });
  await expect(pane).toContainText('Display Label');
  await expect(pane).toContainText('Judy’s new phone');
  await expect(pane).toContainText('Pixel 8');
  await expect(pane).toContainText('Android 15');
  await expect(pane).toContainText('Biometrics');
  await pane.getByRole('button', { name: 'Delete device…' }).click();
  const confirm = page.getByRole('group', { name: 'Confirm' });
  await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(pane).toContainText('This user has not enrolled a device in Protect push.');
  const status = await protect('status');
  expect(status.code).not.toBe(0);
  expect(status.out).toMatch(/not enrolled|removed/i);
  // Judy is back to password only.
  await logOut(page);
  await logIn(page, USER);
  await expect(page.getByRole('heading', { name: 'Welcome, Judy Jones' })).toBeVisible();
});

// Dave must set MFA up (his period ends tomorrow) and has nothing yet: he
// chooses Protect in /enroll, and the login goes on with a push to the
// phone he just enrolled.
const DAVE = 'dave@example.com';
const davesPhone = join(mkdtempSync(join(tmpdir(), 'protect-dave-')), 'state.json');

test('a login that must set up MFA enrolls Protect from /enroll and is approved on the new phone', async ({ page }) => {
  await logIn(page, DAVE);
  await expect(page).toHaveURL(/\/enroll/);
  await page.getByRole('list', { name: 'Sign-in methods' }).getByRole('link', { name: /^Protect push/ }).focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('.step-count')).toHaveText('Step 1 of 2');
  const choice = page.locator('.enroll-link');
  const qr = choice.locator('.qr');
  await expect(qr).toBeVisible();
  await expect(choice.getByRole('status')).toContainText('Waiting for your phone');
  const shot = join(mkdtempSync(join(tmpdir(), 'protect-qr-')), 'qr.png');
  await qr.screenshot({ path: shot });
  const enrolled = await protectWith(davesPhone, 'enroll', '--qr', shot, '--label', 'Dave’s phone');
  expect(enrolled.code, enrolled.out).toBe(0);
  expect(enrolled.out).toContain(DAVE);
  // the page notices by itself and sends the first push
  await expect(page).toHaveURL(/\/login\/mfa/, { timeout: 15_000 });
  const number = await shownNumber(page);
  const approved = await protectWith(davesPhone, 'approve', '--number', number);
  expect(approved.code, approved.out).toBe(0);
  // then back to the wizard's last step: his recovery codes, saved
  await expect(page.getByRole('heading', { name: 'Save your recovery codes' })).toBeVisible();
  await expect(page.locator('.step-count')).toHaveText('Step 2 of 2');
  await page.getByLabel('I’ve saved my recovery codes').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Dave Dias' })).toBeVisible();
});

// Dave reports a push he did not start: it is denied, pushes pause for 20
// minutes (he has no other factor, so he waits them out), and once signed
// in, his Security page shows the report and points at his sessions.
test('“This wasn’t me”: the push is denied, pushes pause for 20 minutes, the Security page shows the report; a push renews the second factor', async ({ page, request }) => {
  await logIn(page, DAVE);
  await expect(page).toHaveURL(/\/login\/mfa/);
  await shownNumber(page);
  const reported = await protectWith(davesPhone, 'report');
  expect(reported.code, reported.out).toBe(0);
  await expect(page.getByRole('alert')).toContainText('reported on the Protect device as not made by its owner');

  // Another push is refused in words while paused.
  await page.getByRole('button', { name: 'Send another push' }).click();
  await expect(page.getByRole('alert')).toContainText(/paused/i);

  // 21 minutes later (a login of its own: the half-done one has expired)
  // pushes work again; protect learns the portal's new time from its
  // answers.
  await advance(request, 21 * 60);
  await logIn(page, DAVE);
  await expect(page).toHaveURL(/\/login\/mfa/);
  const number = await shownNumber(page);
  const approved = await protectWith(davesPhone, 'approve', '--number', number);
  expect(approved.code, approved.out).toBe(0);
  await expect(page.getByRole('heading', { name: 'Welcome, Dave Dias' })).toBeVisible();
  await chooseInMenu(page, 'Security');
  const report = page.getByRole('region', { name: 'A push was reported as not yours' });
  await expect(report).toContainText('User Portal');
  await report.getByRole('link', { name: 'where you’re signed in' }).click();
  await expect(page).toHaveURL(/#sessions-title$/);

  // Eleven minutes on, a change asks for a fresh second factor: with push
  // his only one, a push gives it, and the change carries on.
  await advance(request, 11 * 60);
  // (his first codes came with the enrollment: new ones replace them)
  await page.getByRole('button', { name: 'Make new codes…' }).click();
  await page.getByRole('button', { name: 'Make new codes', exact: true }).click();
  await page.getByRole('button', { name: 'Send a push' }).click();
  const fresh = await shownNumber(page);
  const proven = await protectWith(davesPhone, 'approve', '--number', fresh);
  expect(proven.code, proven.out).toBe(0);
  await expect(page.getByRole('button', { name: 'I have saved them' })).toBeVisible();
});

// Merged: the billing administrator merges Protect and the app on
// /admin/mfa; Judy's phone, set up from one QR code, then shows codes too;
// the notice about the merge shows once; a reset with a code from the
// phone resets both, and Judy is back to her password alone.
test('merged: one QR code sets up push and the app, the notice shows once, the reset resets both', async ({ page, request }) => {
  const admin = await logInAsAdmin(page, request);
  try {
    await page.goto('/admin/mfa');
    await page.getByRole('button', { name: 'Merge…' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm the change' });
    await expect(confirm).toContainText('Merge Protect and the authenticator app?');
    await confirm.getByRole('button', { name: 'Save the change' }).click();
    await expect(page.getByText(/^Merged since /)).toBeVisible();
    await logOut(page);

    const phone = join(mkdtempSync(join(tmpdir(), 'protect-unified-')), 'state.json');
    await logIn(page, USER);
    await chooseInMenu(page, 'Security');
    const section = page.getByRole('region', { name: 'Sign-in methods' });
    await section.getByRole('button', { name: 'Add a sign-in method' }).click();
    await section.getByRole('button', { name: /^Protect push/ }).click();
    await expect(section).toContainText('also sets Protect up as your authenticator app');
    const shot = join(mkdtempSync(join(tmpdir(), 'protect-qr-')), 'qr.png');
    await section.locator('.qr').screenshot({ path: shot });
    const enrolled = await protectWith(phone, 'enroll', '--qr', shot);
    expect(enrolled.code, enrolled.out).toBe(0);
    await section.getByRole('button', { name: 'Done' }).click();

    // The app is the phone, and the notice about the merge shows once.
    await page.reload();
    const app = page.getByRole('listitem').filter({ hasText: 'Authenticator app' });
    await expect(app).toContainText('on your Protect phone');
    const notice = page.getByRole('region', { name: 'Protect is now also your authenticator app' });
    await expect(notice).toBeVisible();
    await notice.getByRole('button', { name: 'Got it' }).click();
    await expect(notice).toHaveCount(0);
    await page.reload();
    await expect(app).toContainText('on your Protect phone');
    await expect(notice).toHaveCount(0);

    // Reset with a code from the phone: push and codes go together.
    const code = await protectWith(phone, 'code');
    expect(code.code, code.out).toBe(0);
    const digits = code.out.match(/\b\d{6}\b/)![0];
    await app.getByRole('button', { name: 'Actions for the authenticator app' }).click();
    await app.getByRole('button', { name: 'Reset authenticator app…' }).click();
    await expect(app).toContainText('for codes and for push');
    await page.getByLabel('Current code from your app').fill(digits);
    await page.getByRole('button', { name: 'Reset and set up a new app' }).click();
    await expect(page).toHaveURL(/\/enroll/);
    const status = await protectWith(phone, 'status');
    expect(status.code).not.toBe(0);
    expect(status.out).toMatch(/not enrolled|removed/i);
  } finally {
    await admin.settings({ protect_mode: 'separate' });
  }
  // Judy is back to her password alone, as the specs after this expect.
  await page.goto('/');
  await logOut(page);
  await logIn(page, USER);
  await expect(page.getByRole('heading', { name: 'Welcome, Judy Jones' })).toBeVisible();
});
