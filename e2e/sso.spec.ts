import { test, expect, Page, BrowserContext, APIRequestContext } from '@playwright/test';
import * as client from 'openid-client';
import { Admin, Api, Authenticator, emailedLink, logInAsAdmin, serverNow, advance, PASSWORD } from './fixtures';

// Single sign-on against an independent relying party: panva's
// openid-client (certified) discovers the provider, sends the browser
// through the real SPA's login (password, then a code from the user's
// authenticator app), checks the ID token's signature through the JWKS,
// the nonce, the state and `amr`, refreshes with rotation, revokes and
// signs out; and the refusals the library or the page must show.

const RP = 'https://rp.example.test';
const REDIRECT = `${RP}/callback`;
const LOGOUT = `${RP}/signed-out`;
// A user of this file's own: other specs change the demo users' factors.
const USER = 'victor@example.com';
const USER_NAME = 'Victor Vale';

interface AppView {
  id: string;
  client_id: string;
  client_secret?: string;
}

/** The app's pages: the browser "arrives" there, and the test reads the URL. */
async function serveApp(context: BrowserContext) {
  await context.route(`${RP}/**`, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>App</title><p>The app</p>' }),
  );
}

/** openid-client's view of the provider; the fake clock's skew is told to it. */
async function relyingParty(
  request: APIRequestContext,
  baseURL: string,
  clientId: string,
  auth: client.ClientAuth,
  fetchHook?: typeof fetch,
): Promise<client.Configuration> {
  const skew = (await serverNow(request)) - Math.floor(Date.now() / 1000);
  const config = await client.discovery(
    new URL(baseURL),
    clientId,
    { [client.clockSkew]: skew },
    auth,
    { execute: [client.allowInsecureRequests] },
  );
  // Verify the ID token's signature with the provider's JWKS too.
  client.enableNonRepudiationChecks(config);
  if (fetchHook) config[client.customFetch] = fetchHook;
  return config;
}

/** How the library refused: the OAuth error code, its own code and message. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const err = e as { error?: string; code?: string; message?: string; status?: number; cause?: { message?: string } };
    return `${err.error ?? ''} ${err.code ?? ''} ${err.status ?? ''} ${err.message ?? ''} ${err.cause?.message ?? ''}`;
  }
  throw new Error('not refused');
}

/** A new user (invited by `admin`) with an authenticator app, through the API. */
async function userWithApp(admin: Admin, request: APIRequestContext): Promise<Authenticator> {
  await admin.ok(admin.post('/admin/users', { email: USER, display_name: USER_NAME, role: 'user' }));
  const api = new Api(request);
  await api.welcome(emailedLink(USER, 'invitation'));
  const app = await api.enrollTotp();
  await api.post('/logout');
  return app;
}

/** Authorization URL with PKCE, state and nonce; the checks to pass later. */
async function start(config: client.Configuration, extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const checks = { pkceCodeVerifier: verifier, expectedState: client.randomState(), expectedNonce: client.randomNonce() };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid profile email groups',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: checks.expectedState,
    nonce: checks.expectedNonce,
    ...extra,
  });
  return { url, checks };
}

/** Signs in through the SPA: password, then a code; consents when asked. */
async function signInThroughPortal(page: Page, url: URL, email: string, app: Authenticator, consent = true) {
  await page.goto(url.href);
  await expect(page).toHaveURL(/\/login\?next=%2Fsso%2F/);
  await expect(page.getByText('to continue to')).toContainText('Wiki');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/login\/mfa/);
  await page.getByLabel('Authentication code').fill(await app.code());
  await page.getByRole('button', { name: 'Verify' }).click();
  if (consent) {
    await expect(page.getByRole('heading', { name: 'Sign in to Wiki?' })).toBeVisible();
    await expect(page.getByRole('listitem').filter({ hasText: 'Your email address' })).toBeVisible();
    await page.getByRole('button', { name: 'Allow and continue' }).click();
  }
  await page.waitForURL(`${REDIRECT}?**`);
  return new URL(page.url());
}

test.describe.serial('single sign-on with an independent relying party', () => {
  let wiki: AppView;
  let secret: string;
  // the user's authenticator app, kept across tests (each has its own request
  // context, so the app is made again from its key and last step).
  let userKey = '';
  let userStep = -1;
  const userApp = (request: APIRequestContext) =>
    new Authenticator(request, userKey, userStep, (step) => (userStep = step));

  test('an administrator registers an app; its secret is shown once', async ({ page, request }) => {
    const admin = await logInAsAdmin(page, request);
    await page.goto('/admin/apps');
    await expect(page.getByRole('link', { name: 'Apps' })).toHaveAttribute('aria-current', 'page');
    await page.getByRole('button', { name: 'Register an app' }).click();
    await page.getByLabel('Name').fill('Wiki');
    await page.getByLabel('Launch address (the tile opens it)').fill(`${RP}/`);
    await page.getByLabel('Redirect URIs, one per line (matched exactly)').fill(REDIRECT);
    await page.getByLabel('Sign-out addresses, one per line (optional)').fill(LOGOUT);
    await page.getByLabel('Multi-factor authentication').selectOption('second_factor');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Wiki registered.' })).toBeVisible();
    const clientId = await page.getByLabel('Client id').inputValue();
    secret = await page.getByLabel('Client secret').inputValue();
    expect(secret).toMatch(/^pcsec_/);
    await expect(page.getByRole('cell', { name: 'Always a second factor' })).toBeVisible();
    // A bad redirect URI is refused in words.
    await page.getByRole('button', { name: 'Change Wiki' }).click();
    await page.getByLabel('Redirect URIs, one per line (matched exactly)').fill('http://wiki.example.com/cb');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'must use https' })).toBeVisible();
    const apps = await admin.ok<AppView[]>(admin.get('/admin/apps'));
    wiki = apps.find((a) => a.client_id === clientId)!;
    expect(wiki.client_secret).toBeUndefined();
    const made = await userWithApp(admin, request);
    [userKey, userStep] = [made.secret, made.step];
  });

  test('code flow with PKCE through the SPA, refresh with rotation, revocation', async ({ page, context, request, baseURL }) => {
    await serveApp(context);
    const config = await relyingParty(request, baseURL!, wiki.client_id, client.ClientSecretBasic(secret));
    const { url, checks } = await start(config);
    const back = await signInThroughPortal(page, url, USER, userApp(request));
    const tokens = await client.authorizationCodeGrant(config, back, checks);
    const claims = tokens.claims()!;
    expect(claims.email).toBe(USER);
    expect(claims.amr).toContain('mfa');
    expect(claims.amr).toContain('otp');
    expect(claims.nonce).toBe(checks.expectedNonce);
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(info.name).toBe(USER_NAME);

    // The same code again: refused, and the tokens it gave are revoked.
    expect(await refusal(client.authorizationCodeGrant(config, back, checks))).toMatch(/invalid_grant|used already/);
    expect(await refusal(client.fetchUserInfo(config, tokens.access_token, claims.sub))).toMatch(/invalid_token|WWW_AUTHENTICATE_CHALLENGE 401/);

    // Single sign-on: the portal session is reused, no login, no consent.
    const again = await start(config);
    await page.goto(again.url.href);
    await page.waitForURL(`${REDIRECT}?**`);
    const fresh = await client.authorizationCodeGrant(config, new URL(page.url()), again.checks);
    // Refresh rotates; the old refresh token again revokes the family.
    const rotated = await client.refreshTokenGrant(config, fresh.refresh_token!);
    expect(rotated.refresh_token).not.toBe(fresh.refresh_token);
    expect(rotated.claims()!.sub).toBe(claims.sub);
    expect(await refusal(client.refreshTokenGrant(config, fresh.refresh_token!))).toMatch(/invalid_grant|used already/);
    expect(await refusal(client.refreshTokenGrant(config, rotated.refresh_token!))).toMatch(/invalid_grant/);

    // Revocation (RFC 7009) ends a family's refresh token.
    const third = await start(config);
    await page.goto(third.url.href);
    await page.waitForURL(`${REDIRECT}?**`);
    const more = await client.authorizationCodeGrant(config, new URL(page.url()), third.checks);
    await client.tokenRevocation(config, more.refresh_token!);
    expect(await refusal(client.refreshTokenGrant(config, more.refresh_token!))).toMatch(/invalid_grant/);

    // The portal: a tile on the home page, the app on the Security page.
    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Wiki' })).toHaveAttribute('href', `${RP}/`);
    const fourth = await start(config);
    await page.goto(fourth.url.href);
    await page.waitForURL(`${REDIRECT}?**`);
    const kept = await client.authorizationCodeGrant(config, new URL(page.url()), fourth.checks);
    await page.goto('/security');
    const apps = page.getByRole('list', { name: 'Apps you’ve signed in to' });
    await expect(apps.getByRole('listitem')).toHaveCount(1);
    await expect(apps.getByRole('listitem')).toContainText('Wiki');
    await expect(apps.getByRole('listitem')).toContainText('may know:');
    // Revoked from the portal, by keyboard: the app's refresh token stops working.
    await apps.getByRole('button', { name: 'Revoke Wiki’s access' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByText('Wiki can no longer act for you; it asks you to sign in again.')).toBeVisible();
    await expect(page.getByText('No app holds a sign-in of yours.')).toBeVisible();
    expect(await refusal(client.refreshTokenGrant(config, kept.refresh_token!))).toMatch(/invalid_grant/);

    // RP-initiated logout with the ID token: signed out, back to the app.
    const bye = client.buildEndSessionUrl(config, {
      id_token_hint: more.id_token!,
      post_logout_redirect_uri: LOGOUT,
      state: 'bye',
    });
    await page.goto(bye.href);
    await page.waitForURL(`${LOGOUT}?state=bye`);
    await page.goto('/security');
    await expect(page).toHaveURL(/\/login\?next=%2Fsecurity/);
  });

  test('refusals: wrong secret, wrong verifier, expired code, prompt=none, a tampered token, an unregistered address', async ({ page, context, request, baseURL }) => {
    await serveApp(context);
    // prompt=none without a session: login_required, back to the app.
    const basic = await relyingParty(request, baseURL!, wiki.client_id, client.ClientSecretBasic(secret));
    const silent = await start(basic, { prompt: 'none' });
    await page.goto(silent.url.href);
    await page.waitForURL(`${REDIRECT}?**`);
    expect(await refusal(client.authorizationCodeGrant(basic, new URL(page.url()), silent.checks))).toMatch(/login_required/);

    // A code for a wrong secret; then a wrong verifier; then too late.
    const first = await start(basic);
    // (the test before revoked Wiki's access on the Security page, so the
    // consent is asked again)
    const back = await signInThroughPortal(page, first.url, USER, userApp(request));
    const wrong = await relyingParty(request, baseURL!, wiki.client_id, client.ClientSecretBasic('pcsec_wrong'));
    expect(await refusal(client.authorizationCodeGrant(wrong, back, first.checks))).toMatch(/invalid_client|WWW_AUTHENTICATE_CHALLENGE 401/);
    const otherVerifier = { ...first.checks, pkceCodeVerifier: client.randomPKCECodeVerifier() };
    expect(await refusal(client.authorizationCodeGrant(basic, back, otherVerifier))).toMatch(/invalid_grant/);
    const late = await start(basic);
    await page.goto(late.url.href);
    await page.waitForURL(`${REDIRECT}?**`);
    await advance(request, 61);
    const lateConfig = await relyingParty(request, baseURL!, wiki.client_id, client.ClientSecretPost(secret));
    expect(await refusal(client.authorizationCodeGrant(lateConfig, new URL(page.url()), late.checks))).toMatch(/invalid_grant/);

    // An ID token altered on its way: the library refuses its signature.
    // (the same hook without the change passes: only the change is refused)
    const hook = (change: boolean): typeof fetch => async (input, init) => {
      const res = await fetch(input, init);
      if (!String(input).endsWith('/oauth2/token')) return res;
      const body = await res.json();
      if (change) {
        const [h, p, s] = body.id_token.split('.');
        const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
        claims.email = 'mallory@example.com';
        body.id_token = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.');
      }
      const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
      return new Response(JSON.stringify(body), { status: res.status, headers });
    };
    for (const change of [false, true]) {
      const rp = await relyingParty(request, baseURL!, wiki.client_id, client.ClientSecretBasic(secret), hook(change));
      const t = await start(rp);
      await page.goto(t.url.href);
      await page.waitForURL(`${REDIRECT}?**`);
      const grant = client.authorizationCodeGrant(rp, new URL(page.url()), t.checks);
      if (change) expect(await refusal(grant)).toMatch(/signature/i);
      else expect((await grant).claims()!.email).toBe(USER);
    }

    // An address nobody registered: a page in words, no redirect.
    const evil = await start(basic, { redirect_uri: 'https://evil.example/cb' });
    await page.goto(evil.url.href);
    await expect(page.getByRole('heading', { name: 'This sign-in cannot go on' })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('not registered');
    expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
  });
});
