import { test, expect, Page } from '@playwright/test';
import {
  Authenticator,
  CSRF,
  adminWithMfa,
  codesShown,
  signedInWithApp,
  methodCards,
  newUser,
  shownKey,
  tabTo,
  uniqueEmail,
} from './fixtures';

// The enrollment wizard (/enroll): a chooser of method cards, each method's
// steps with a step indicator and Back, every step in the URL (so the
// browser's Back and Forward move between steps), the recovery codes as a
// step that cannot be skipped, "Open in authenticator app" on phones, the
// replacement of a reset app, and only the kinds the organisation allows.
// Each test has an account of its own, signed in with no factor yet.

const progress = (page: Page) => page.locator('.step-count');
const currentStep = (page: Page) => page.getByRole('list', { name: 'Steps' }).locator('[aria-current="step"]');
const backButton = (page: Page) => page.getByRole('button', { name: 'Back', exact: true });

async function atChooser(page: Page) {
  await expect(page).toHaveURL(/\/enroll$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Set up multi-factor authentication' })).toBeVisible();
  await expect(methodCards(page).getByRole('link')).toHaveCount(4);
  await expect(progress(page)).toHaveCount(0);
  await expect(backButton(page)).toHaveCount(0);
}

async function atStep(page: Page, step: string, count: string, label: string) {
  await expect(page).toHaveURL(new RegExp(`[?&]step=${step}(&|$)`));
  await expect(progress(page)).toHaveText(count);
  await expect(currentStep(page)).toHaveText(label);
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
}

test('Back works at every step, by the wizard’s button and by the browser’s', async ({ page, request }) => {
  const admin = await adminWithMfa(request);
  await newUser(admin, page.request, uniqueEmail('back'));
  await page.goto('/enroll');
  await atChooser(page);

  // The app, forward and back by the button; the key stays the same.
  await methodCards(page).getByRole('link', { name: /^Authenticator app/ }).click();
  await atStep(page, 'app-scan', 'Step 1 of 3', 'Add Portcullis to the app');
  const key = await shownKey(page);
  await page.getByRole('button', { name: 'Next' }).click();
  await atStep(page, 'app-code', 'Step 2 of 3', 'Enter a code');
  await backButton(page).click();
  await atStep(page, 'app-scan', 'Step 1 of 3', 'Add Portcullis to the app');
  expect(await shownKey(page)).toBe(key);
  await backButton(page).click();
  await atChooser(page);

  // The same by the browser's Back, then Forward.
  await methodCards(page).getByRole('link', { name: /^Authenticator app/ }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await atStep(page, 'app-code', 'Step 2 of 3', 'Enter a code');
  await page.goBack();
  await atStep(page, 'app-scan', 'Step 1 of 3', 'Add Portcullis to the app');
  expect(await shownKey(page)).toBe(key);
  await page.goBack();
  await atChooser(page);
  await page.goForward();
  await atStep(page, 'app-scan', 'Step 1 of 3', 'Add Portcullis to the app');
  await page.goForward();
  await atStep(page, 'app-code', 'Step 2 of 3', 'Enter a code');

  // Each other method's step, back by the button and by the browser.
  for (const [card, step, label] of [
    [/^Security key/, 'key', 'Register the key'],
    [/^Passkey/, 'passkey', 'Create the passkey'],
    [/^Protect push/, 'phone', 'Scan with your phone'],
  ] as const) {
    await page.goto('/enroll');
    await atChooser(page);
    await methodCards(page).getByRole('link', { name: card }).click();
    await atStep(page, step, 'Step 1 of 2', label);
    await backButton(page).click();
    await atChooser(page);
    await methodCards(page).getByRole('link', { name: card }).click();
    await atStep(page, step, 'Step 1 of 2', label);
    await page.goBack();
    await atChooser(page);
  }
});

test('by keyboard alone: chooser, app, code, recovery codes saved, on', async ({ page, request }) => {
  const admin = await adminWithMfa(request);
  await newUser(admin, page.request, uniqueEmail('keys'));
  await page.goto('/enroll');
  await atChooser(page);
  await tabTo(page, methodCards(page).getByRole('link', { name: /^Authenticator app/ }));
  await page.keyboard.press('Enter');
  await atStep(page, 'app-scan', 'Step 1 of 3', 'Add Portcullis to the app');
  const app = new Authenticator(request, await shownKey(page));
  // Back by keyboard too, then forward again.
  await tabTo(page, backButton(page));
  await page.keyboard.press('Space');
  await atChooser(page);
  await tabTo(page, methodCards(page).getByRole('link', { name: /^Authenticator app/ }));
  await page.keyboard.press('Enter');
  await atStep(page, 'app-scan', 'Step 1 of 3', 'Add Portcullis to the app');
  await tabTo(page, page.getByRole('button', { name: 'Next' }));
  await page.keyboard.press('Enter');
  await atStep(page, 'app-code', 'Step 2 of 3', 'Enter a code');
  await tabTo(page, page.getByLabel('Code from the app'));
  await page.keyboard.type(await app.code());
  await page.keyboard.press('Enter');
  await atStep(page, 'codes', 'Step 3 of 3', 'Save recovery codes');
  await codesShown(page);
  const go = page.getByRole('button', { name: 'Continue' });
  await expect(go).toBeDisabled();
  await tabTo(page, page.getByLabel('I’ve saved my recovery codes'));
  await page.keyboard.press('Space');
  await expect(go).toBeEnabled();
  await tabTo(page, go);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: /^Welcome/ })).toBeVisible();
});

test('the recovery codes cannot be skipped: Continue waits for “I’ve saved them”, and Back returns to them', async ({ page, request }) => {
  const admin = await adminWithMfa(request);
  await newUser(admin, page.request, uniqueEmail('codes'));
  await page.goto('/enroll');
  await methodCards(page).getByRole('link', { name: /^Authenticator app/ }).click();
  const app = new Authenticator(request, await shownKey(page));
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Code from the app').fill(await app.code());
  await page.getByRole('button', { name: 'Verify and finish' }).click();
  await atStep(page, 'codes', 'Step 3 of 3', 'Save recovery codes');
  const codes = await codesShown(page);
  const go = page.getByRole('button', { name: 'Continue' });
  await expect(go).toBeDisabled();
  await expect(page.getByText('Continue is available once you’ve saved your codes.')).toBeVisible();
  // Setting the app up again is behind the user: Back lands on the same codes.
  await expect(backButton(page)).toHaveCount(0);
  await page.goBack();
  await expect(page).toHaveURL(/step=codes/);
  expect(await codesShown(page)).toEqual(codes);
  await expect(go).toBeDisabled();
  // Download, copy or print them, then say so.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download' }).click();
  expect((await download).suggestedFilename()).toBe('portcullis-recovery-codes.txt');
  await page.getByLabel('I’ve saved my recovery codes').check();
  await go.click();
  await expect(page).toHaveURL(/\/$/);
  // They are the account's codes.
  const status = await (await page.request.get('/api/v1/recovery-codes')).json();
  expect(status.left).toBe(10);
});

test('on a phone the QR step opens the authenticator app by its link; not on a desktop', async ({ page, request }) => {
  const admin = await adminWithMfa(request);
  await newUser(admin, page.request, uniqueEmail('phone'));
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto('/enroll');
  await methodCards(page).getByRole('link', { name: /^Authenticator app/ }).click();
  const open = page.getByRole('link', { name: 'Open in authenticator app' });
  await expect(open).toBeVisible();
  const href = await open.getAttribute('href');
  expect(href).toMatch(/^otpauth:\/\/totp\//);
  expect(new URL(href!).searchParams.get('secret')).toBe(await shownKey(page));
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(open).toBeHidden();
});

test('after a reset, “Replace your authenticator app”: no chooser, no pitch, back to Security', async ({ page, request }) => {
  const admin = await adminWithMfa(request);
  const old = (await newUser(admin, page.request, uniqueEmail('replace'), { app: true }))!;
  const reset = await page.request.post('/api/v1/totp/reset', { headers: CSRF, data: { code: await old.code() } });
  expect(reset.ok(), await reset.text()).toBe(true);
  await page.goto('/enroll?next=%2Fsecurity&replace=app');
  await expect(page.getByRole('heading', { level: 1, name: 'Replace your authenticator app' })).toBeVisible();
  await expect(page.getByText('Your old authenticator app no longer works')).toBeVisible();
  await expect(methodCards(page)).toHaveCount(0);
  await expect(page.getByText('A password alone can be guessed')).toHaveCount(0);
  await expect(page.getByText('Set up multi-factor authentication')).toHaveCount(0);
  await expect(progress(page)).toHaveText('Step 1 of 3');
  await expect(backButton(page)).toHaveCount(0);
  const app = new Authenticator(request, await shownKey(page));
  expect(app.secret).not.toBe(old.secret);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Replace your authenticator app' })).toBeVisible();
  await expect(progress(page)).toHaveText('Step 2 of 3');
  await backButton(page).click();
  await expect(progress(page)).toHaveText('Step 1 of 3');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Code from the app').fill(await app.code());
  await page.getByRole('button', { name: 'Verify and finish' }).click();
  await page.getByLabel('I’ve saved my recovery codes').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/security$/);
});

test('by keyboard alone on the Security page: the chooser opens, a kind, Back, Cancel, the focus back on the button', async ({ page, request }) => {
  await signedInWithApp(await adminWithMfa(request), page, uniqueEmail('chooser-keys'));
  await page.goto('/security');
  const add = page.getByRole('button', { name: 'Add a sign-in method' });
  const chooserTitle = page.getByRole('heading', { name: 'Choose a sign-in method' });
  await tabTo(page, add);
  await page.keyboard.press('Enter');
  // the panel comes (a part of its own) and its heading takes the focus
  await expect(chooserTitle).toBeFocused();
  await expect(add).toHaveAttribute('aria-expanded', 'true');
  await tabTo(page, page.getByRole('button', { name: /^Security key/ }));
  await page.keyboard.press('Enter');
  // the step's one field takes the focus
  await expect(page.getByRole('heading', { name: 'Add a security key' })).toBeVisible();
  await expect(page.getByLabel('Name of the new key')).toBeFocused();
  await page.keyboard.type('Desk key');
  await tabTo(page, backButton(page));
  await page.keyboard.press('Enter');
  await expect(chooserTitle).toBeFocused();
  await tabTo(page, page.getByRole('group', { name: 'Choose a sign-in method' }).getByRole('button', { name: 'Cancel' }));
  await page.keyboard.press('Space');
  await expect(chooserTitle).toHaveCount(0);
  await expect(add).toBeFocused();
  await expect(add).toHaveAttribute('aria-expanded', 'false');
});

test('the choosers (enrollment, Security page) offer only the kinds the organisation allows', async ({ page, request }) => {
  const admin = await adminWithMfa(request);
  await newUser(admin, page.request, uniqueEmail('allowed'));
  await admin.settings({ allowed_factors: ["totp", "push"] });
  try {
    await page.goto('/enroll');
    await expect(methodCards(page).getByRole('link')).toHaveCount(2);
    await expect(methodCards(page).getByRole('link', { name: /^Authenticator app/ })).toBeVisible();
    await expect(methodCards(page).getByRole('link', { name: /^Protect push/ })).toBeVisible();
    await expect(methodCards(page).getByRole('link', { name: /^(Security key|Passkey)/ })).toHaveCount(0);
    // The Security page's chooser offers the same kinds (an account with
    // an app, signed in in full: the app is not offered again).
    await signedInWithApp(admin, page, uniqueEmail('allowed-security'));
    await page.goto('/security');
    await page.getByRole('button', { name: 'Add a sign-in method' }).click();
    const chooser = page.getByRole('group', { name: 'Choose a sign-in method' });
    await expect(chooser.getByRole('button', { name: /^Protect push/ })).toBeVisible();
    await expect(chooser.getByRole('button', { name: /^(Security key|Passkey|Authenticator app)/ })).toHaveCount(0);
  } finally {
    await admin.settings({ allowed_factors: ["totp", "webauthn", "push"] });
  }
});
