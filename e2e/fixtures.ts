import AxeBuilder from '@axe-core/playwright';
// What the specs share: the demo password, a typed client of the JSON API
// (with the CSRF header), the server's fake clock, authenticator apps that
// never reuse a code, and an administrator signed in with MFA.
import { APIRequestContext, APIResponse, Locator, Page, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { totp } from './totp';

/** Every demo user's password (the server gets it from the config's env). */
export const PASSWORD = 'e2e-demo-password';

/** The header every state-changing request must carry (crates/api CSRF_HEADER). */
export const CSRF = { 'x-portcullis-csrf': '1' };

/** A TOTP time step, in seconds. */
export const STEP = 30;

// The JSON shapes of crates/api, as far as the specs read them.
export type Role = 'user' | 'admin' | 'billing_admin';
export interface Me {
  id: string;
  email: string;
  display_name: string;
  role: Role;
}
export type LoginResponse =
  | { next: 'done'; user: Me }
  | { next: 'mfa'; factors: string[] }
  | { next: 'enroll'; mandatory: boolean; days_left?: number | null }
  | { next: 'locked'; message: string };
export type MfaStatus =
  | { status: 'active' | 'enrollment_expired' | 'set_up_not_required' | 'required_no_period' | 'none' }
  | { status: 'enrollment_period'; days_left: number };
export type TotpState = { state: 'not_set_up' | 'pending' } | { state: 'active'; since: number };
export interface AdminUser {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  mfa: MfaStatus;
  mfa_required: boolean;
  deadline: number | null;
  totp: TotpState;
  factors?: string[];
}
export interface UserPage {
  users: AdminUser[];
  next_after?: string | null;
}
export interface TotpEnrollment {
  secret: string;
  uri: string;
  issuer: string;
  account: string;
}
export interface ErrorBody {
  code: string;
  message: string;
  retry_after?: number;
}

/** The JSON API through one cookie jar (one session). */
export class Api {
  constructor(readonly request: APIRequestContext) {}

  get(path: string): Promise<APIResponse> {
    return this.request.get(`/api/v1${path}`);
  }

  post(path: string, data: unknown = {}): Promise<APIResponse> {
    return this.request.post(`/api/v1${path}`, { headers: CSRF, data });
  }

  patch(path: string, data: unknown): Promise<APIResponse> {
    return this.request.patch(`/api/v1${path}`, { headers: CSRF, data });
  }

  /** The body of a 2xx answer; anything else fails the test with the answer in the message. */
  async ok<T>(answer: Promise<APIResponse>): Promise<T> {
    const r = await answer;
    const text = await r.text();
    expect(r.ok(), `${r.url()} answered ${r.status()}: ${text}`).toBe(true);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The error body of an answer that must have `status`. */
  async refused(answer: Promise<APIResponse>, status: number): Promise<ErrorBody> {
    const r = await answer;
    const text = await r.text();
    expect(r.status(), `${r.url()}: ${text}`).toBe(status);
    return JSON.parse(text) as ErrorBody;
  }

  login(email: string, password = PASSWORD): Promise<LoginResponse> {
    return this.ok(this.post('/login', { email, password }));
  }

  /** Uses a one-time link (the token after `#`) with a password. */
  welcome(link: string, password = PASSWORD): Promise<LoginResponse> {
    return this.ok(this.post('/welcome', { token: tokenOf(link), password }));
  }

  /**
   * `POST /totp/enroll`, then `/totp/confirm` with the new app's first code:
   * the session is then fully signed in. `keep` holds the app (the admin's
   * is remembered across tests).
   */
  async enrollTotp(keep = (secret: string) => new Authenticator(this.request, secret)): Promise<Authenticator> {
    const { secret } = await this.ok<TotpEnrollment>(this.post('/totp/enroll'));
    const app = keep(secret);
    const done = await this.ok<LoginResponse>(this.post('/totp/confirm', { code: await app.code() }));
    expect(done.next).toBe('done');
    return app;
  }
}

// The server runs with --fake-clock (built with the `test-clock` feature):
// its time moves only when a test says so. The clock is not under /api/v1.

/** The server's time, Unix seconds. */
export async function serverNow(request: APIRequestContext): Promise<number> {
  const r = await request.get('/api/test/clock');
  expect(r.ok(), 'the server runs with --fake-clock').toBe(true);
  return (await r.json()).now;
}

/** Moves the server's clock on; returns the new time. */
export async function advance(request: APIRequestContext, seconds: number): Promise<number> {
  const r = await request.post('/api/test/clock', { headers: CSRF, data: { seconds } });
  expect(r.ok(), 'the server runs with --fake-clock').toBe(true);
  return (await r.json()).now;
}

/**
 * An authenticator app holding `secret`. The server accepts each code of an
 * app once (a replay in the same 30-s step is `code_already_used`), so
 * `code()` moves the fake clock to the next step when this app's last code
 * came from the current one.
 */
export class Authenticator {
  constructor(
    private readonly request: APIRequestContext,
    readonly secret: string,
    private lastStep = -1,
    private readonly onUse?: (step: number) => void,
  ) {}

  /** A code the server has not seen from this app. */
  async code(): Promise<string> {
    let now = await serverNow(this.request);
    if (Math.floor(now / STEP) <= this.lastStep) now = await advance(this.request, STEP);
    this.lastStep = Math.floor(now / STEP);
    this.onUse?.(this.lastStep);
    return totp(this.secret, now);
  }

  /** The time step this app's last code came from. */
  get step(): number {
    return this.lastStep;
  }

  /** This app's last code again (for replay tests). */
  lastCode(): string {
    return totp(this.secret, this.lastStep * STEP);
  }
}

// The demo administrator must use MFA, and its app outlives a test: the
// specs share one server, and Playwright starts a new worker process after a
// failure. So its key and last used step are kept in a file in the server's
// data directory, which the config empties with the database at every start.
export const ADMIN = 'admin@example.com';

interface AdminAppState {
  secret: string;
  lastStep: number;
}

function adminStateFile(): string {
  const dir = process.env.E2E_DATA_DIR;
  if (!dir) throw new Error('E2E_DATA_DIR is not set (e2e/playwright.config.ts sets it)');
  mkdirSync(dir, { recursive: true });
  return join(dir, 'e2e-admin-authenticator.json');
}

function loadAdminApp(request: APIRequestContext): Authenticator | undefined {
  let saved: AdminAppState;
  try {
    saved = JSON.parse(readFileSync(adminStateFile(), 'utf8'));
  } catch {
    return undefined;
  }
  return adminApp(request, saved.secret, saved.lastStep);
}

/** The admin's app, remembered for later tests; for a key read off the page too. */
export function adminApp(request: APIRequestContext, secret: string, lastStep = -1): Authenticator {
  const save = (step: number) =>
    writeFileSync(adminStateFile(), JSON.stringify({ secret, lastStep: step } satisfies AdminAppState));
  save(lastStep);
  return new Authenticator(request, secret, lastStep, save);
}

/** The administrator's side of the API, in a session proven with a second factor. */
export class Admin extends Api {
  constructor(
    request: APIRequestContext,
    readonly app: Authenticator,
  ) {
    super(request);
  }

  async user(email: string): Promise<AdminUser> {
    const page = await this.ok<UserPage>(this.get(`/admin/users?search=${encodeURIComponent(email)}`));
    const user = page.users.find((u) => u.email === email);
    expect(user, `${email} in the admin list`).toBeDefined();
    return user!;
  }

  /** `POST /mfa/verify`: renews the recent second factor that MFA changes need. */
  async reauthenticate(): Promise<void> {
    await this.ok(this.post('/mfa/verify', { code: await this.app.code() }));
  }

  /** Requires MFA for `email`; `periodDays: null` means no enrollment period. */
  async requireMfa(email: string, periodDays: number | null): Promise<AdminUser> {
    const { id } = await this.user(email);
    return this.ok(this.post(`/admin/users/${id}/require-mfa`, { period_days: periodDays }));
  }

  /** `PATCH /admin/settings` with `change` (the organisation's MFA settings). */
  async settings(change: Record<string, unknown>): Promise<void> {
    await this.ok(this.patch('/admin/settings', change));
  }

  async resetMfa(email: string, periodDays: number | null): Promise<AdminUser> {
    const { id } = await this.user(email);
    return this.ok(this.post(`/admin/users/${id}/reset-mfa`, { period_days: periodDays }));
  }
}

/**
 * Logs the demo administrator in through the API. Administrators have no
 * enrollment period, and their password alone never sets up their first
 * factor: the first time, the setup link the demo emailed sets up an app
 * (its key is kept for the next tests); later logins prove it with a code.
 * A fresh login is also a fresh second factor, so MFA changes need no
 * `reauthenticate()` right after.
 */
export async function adminWithMfa(request: APIRequestContext): Promise<Admin> {
  const api = new Api(request);
  const saved = loadAdminApp(request);
  if (!saved) {
    const next = await api.welcome(emailedLink(ADMIN, 'setup_link'));
    expect(next).toMatchObject({ next: 'enroll', mandatory: true });
    return new Admin(request, await api.enrollTotp((secret) => adminApp(request, secret)));
  }
  const next = await api.login(ADMIN);
  expect(next.next, JSON.stringify(next)).toBe('mfa');
  const app = saved;
  const done = await api.ok<LoginResponse>(api.post('/login/totp', { code: await app!.code() }));
  expect(done.next).toBe('done');
  return new Admin(request, app!);
}

/**
 * The one-time link in the newest email of `kind` to `to`. The tests' server
 * has no SMTP, so its emails wait in the outbox table, read here.
 */
export function emailedLink(to: string, kind: 'invitation' | 'setup_link' | 'password_reset'): string {
  const dir = process.env.E2E_DATA_DIR;
  if (!dir) throw new Error('E2E_DATA_DIR is not set (e2e/playwright.config.ts sets it)');
  const quoted = (v: string) => `'${v.replace(/'/g, "''")}'`;
  const sql =
    `SELECT body FROM outbox WHERE to_addr = ${quoted(to)} AND kind = ${quoted(kind)} ` +
    'ORDER BY created_at DESC, id DESC LIMIT 1';
  const body = execFileSync('sqlite3', ['-readonly', join(dir, 'portcullis.db'), sql], { encoding: 'utf8' });
  const link = body.split(/\s+/).find((w) => w.includes('/welcome#'));
  expect(link, `a ${kind} email to ${to}: ${body}`).toBeDefined();
  return link!;
}

/** The token of a one-time link (what follows `#`). */
export function tokenOf(link: string): string {
  const token = link.split('#')[1];
  expect(token, link).toBeTruthy();
  return token;
}

/**
 * A setup link for `email` (who has no factor), made by the signed-in
 * administrator `admin`.
 */
export async function setupLinkFor(admin: Admin, email: string): Promise<string> {
  const { id } = await admin.user(email);
  const made = await admin.ok<{ url: string; expires_at: number }>(admin.post(`/admin/users/${id}/setup-link`));
  return made.url;
}

// Pages.

/** Fills the login form of the page already shown and submits it. */
export async function submitLogin(page: Page, email: string, password = PASSWORD) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Opens /login and logs in with the password. */
export async function logIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/login');
  await submitLogin(page, email, password);
}

/** Opens the signed-in user's menu in the header and chooses `item`. */
/** Goes to Home, Security or Admin by the header's main navigation, or
 * signs out through the user's menu. */
export async function chooseInMenu(page: Page, item: 'Home' | 'Security' | 'Admin' | 'Sign out') {
  if (item !== 'Sign out') {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: item, exact: true }).click();
    return;
  }
  const menu = page.getByRole('navigation', { name: 'Account' });
  const toggle = menu.locator('button[aria-expanded]');
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await menu.getByRole('button', { name: item, exact: true }).click();
}

export async function logOut(page: Page) {
  await chooseInMenu(page, 'Sign out');
  await expect(page).toHaveURL(/\/login$/);
}

/** The key the enrollment page writes out, without its grouping blanks. */
export async function shownKey(page: Page): Promise<string> {
  const shown = await page.locator('code.key').textContent();
  expect(shown).toMatch(/^([A-Z2-7]{4} )*[A-Z2-7]{1,4}$/);
  return shown!.replace(/ /g, '');
}

/**
 * Logs the demo administrator in through the page: password, then a code
 * from the admin's app (set up through the API first if need be).
 */
export async function logInAsAdmin(page: Page, request: APIRequestContext): Promise<Admin> {
  const admin = await adminWithMfa(request);
  await logIn(page, ADMIN);
  await expect(page).toHaveURL(/\/login\/mfa$/);
  await page.getByLabel('Authentication code').fill(await admin.app.code());
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Ada Admin' })).toBeVisible();
  return admin;
}

/**
 * Presses Tab until `target` has the focus (the keyboard alone, as a
 * person without a mouse would); fails after `max` presses.
 */
export async function tabTo(page: Page, target: Locator, max = 80) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target, `reached by Tab within ${max} presses`).toBeFocused();
}

/** The method cards of the enrollment wizard's chooser. */
export function methodCards(page: Page): Locator {
  return page.getByRole('list', { name: 'Sign-in methods' });
}

/** The recovery codes on show (the enrollment's last step, or the Security page). */
export async function codesShown(page: Page): Promise<string[]> {
  // (made as the step opens: wait for them)
  const items = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(items).toHaveCount(10);
  return (await items.allTextContents()).map((c) => c.trim());
}

/**
 * Goes through the enrollment wizard from its chooser (already shown)
 * with an authenticator app: the card, the QR step (the key read off the
 * page), the first code, and — when the user has none — the recovery
 * codes, saved. Ends where the wizard leads (its `next`).
 */
export async function enrollApp(page: Page, request: APIRequestContext): Promise<{ app: Authenticator; codes: string[] }> {
  await methodCards(page).getByRole('link', { name: /^Authenticator app/ }).click();
  await expect(page).toHaveURL(/step=app-scan/);
  const app = new Authenticator(request, await shownKey(page));
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Code from the app').fill(await app.code());
  await page.getByRole('button', { name: 'Verify and finish' }).click();
  await expect(page).toHaveURL(/step=(codes|done)/);
  let codes: string[] = [];
  if (/step=codes/.test(page.url())) {
    codes = await codesShown(page);
    await page.getByLabel('I’ve saved my recovery codes').check();
  }
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).not.toHaveURL(/\/enroll/);
  return { app, codes };
}

/** Sets up an authenticator app for the signed-in user through /enroll. */
export async function setUpApp(page: Page, request: APIRequestContext): Promise<Authenticator> {
  await page.goto('/enroll');
  return (await enrollApp(page, request)).app;
}

/** Removes the signed-in user's authenticator app (a current code first). */
export async function removeApp(page: Page, app: Authenticator) {
  const r = await page.request.post('/api/v1/totp/reset', { headers: CSRF, data: { code: await app.code() } });
  expect(r.ok(), await r.text()).toBe(true);
}

/** Where a completed action is said (src/state/toast.rs). */
export const toast = (page: Page) => page.locator('.toast-region');
/**
 * A new account, added by the administrator and let in through its
 * invitation in `request`'s cookie jar (a page's `page.request` signs that
 * page in): no factor, nothing required. With `app`, an authenticator app
 * is set up too (through the API, so no recovery codes yet).
 */
export async function newUser(
  admin: Admin,
  request: APIRequestContext,
  email: string,
  options: { app?: boolean } = {},
): Promise<Authenticator | undefined> {
  await admin.ok(admin.post('/admin/users', { email, display_name: email.split('@')[0], role: 'user' }));
  const api = new Api(request);
  // signed in, or (where the organisation requires MFA of new users) at its setup
  await api.welcome(emailedLink(email, 'invitation'));
  return options.app ? api.enrollTotp() : undefined;
}

/** A unique address for a test's own account. */
export function uniqueEmail(who: string): string {
  return `${who}.${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}@example.com`;
}

/**
 * A new account with an authenticator app, signed in in full in `page`
 * through the login form (password, then a code): a session the Security
 * page accepts. Returns the app.
 */
export async function signedInWithApp(admin: Admin, page: Page, email: string): Promise<Authenticator> {
  const app = (await newUser(admin, page.request, email, { app: true }))!;
  await page.context().clearCookies();
  await logIn(page, email);
  await page.getByLabel('Authentication code').fill(await app.code());
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/$/);
  return app;
}

/** A new account, suspended by `admin`; `page` is left signed out. */
export async function suspendedUser(admin: Admin, page: Page, email: string): Promise<void> {
  await page.context().clearCookies();
  await newUser(admin, page.request, email);
  await page.context().clearCookies();
  const { id } = await admin.user(email);
  await admin.ok(admin.post(`/admin/users/${id}/suspend`, {}));
}

/**
 * axe finds nothing on the page as it stands, in the light and then the
 * dark scheme: one visit checked in both (the page is left light).
 */
export async function expectAccessible(page: Page, what: string) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const results = await new AxeBuilder({ page }).analyze();
    const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(summary, `${what} (${colorScheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
