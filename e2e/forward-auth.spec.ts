import { test, expect, Page, APIRequestContext } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo, createServer as listen } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, Api, Authenticator, CSRF, adminWithMfa, emailedLink, logInAsAdmin, logOut, submitLogin } from './fixtures';

// Forward-auth behind real reverse proxies: Debian's nginx (`auth_request`)
// and Caddy (`forward_auth`), started here on loopback ports in front of a
// small upstream that shows the identity headers it receives. The browser
// opens the proxied site, is sent to the portal to sign in for it (password,
// then a code), and comes back; a deny rule answers 403; a session that
// passed the password alone is stepped up. The portal's session cookie is
// for `localhost`, which the browser also sends to the proxies' ports.

const PORTAL = `http://127.0.0.1:${process.env.E2E_PORT ?? 8181}`;
const USER = 'trent@example.com';

/** A port nothing listens on yet. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = listen();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Waits until something answers HTTP on `port`. */
async function answering(port: number, what: ChildProcess, log: () => string) {
  for (let i = 0; i < 100; i++) {
    if (what.exitCode !== null) throw new Error(`exited with ${what.exitCode}: ${log()}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing answers on ${port}: ${log()}`);
}

/** The site behind the proxies: shows who the proxy says is signed in. */
function upstream(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const h = (name: string) => String(req.headers[name] ?? '');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      `<!doctype html><html lang="en"><title>Upstream</title><h1>Upstream ${req.url}</h1>` +
        `<p id="user">${h('remote-user')}</p><p id="email">${h('remote-email')}</p>` +
        `<p id="groups">${h('remote-groups')}</p>`,
    );
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

/** One nginx server block: every request asks the portal first. */
function nginxSite(port: number, up: number): string {
  return `
  server {
    listen 127.0.0.1:${port};
    location = /_portcullis {
      internal;
      proxy_pass ${PORTAL}/api/authz/forward-auth;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
    }
    location / {
      auth_request /_portcullis;
      auth_request_set $remote_user_h $upstream_http_remote_user;
      auth_request_set $remote_email_h $upstream_http_remote_email;
      auth_request_set $remote_groups_h $upstream_http_remote_groups;
      auth_request_set $sign_in $upstream_http_location;
      error_page 401 =302 $sign_in;
      proxy_set_header Remote-User $remote_user_h;
      proxy_set_header Remote-Email $remote_email_h;
      proxy_set_header Remote-Groups $remote_groups_h;
      proxy_pass http://127.0.0.1:${up};
    }
  }`;
}

function startNginx(dir: string, sites: number[], up: number): ChildProcess {
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  ${sites.map((p) => nginxSite(p, up)).join('\n')}
}
`,
  );
  return spawn('/usr/sbin/nginx', ['-p', dir, '-c', conf, '-e', join(dir, 'nginx-error.log')], { stdio: 'pipe' });
}

function startCaddy(dir: string, ports: number[], up: number): ChildProcess {
  const conf = join(dir, 'Caddyfile');
  const site = (port: number) => `http://localhost:${port} {
  forward_auth ${PORTAL.replace('http://', '')} {
    uri /api/authz/forward-auth
    copy_headers Remote-User Remote-Email Remote-Groups
  }
  reverse_proxy 127.0.0.1:${up}
}
`;
  writeFileSync(
    conf,
    `{
  admin off
  auto_https off
}
${ports.map(site).join('')}`,
  );
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir };
  return spawn('caddy', ['run', '--config', conf, '--adapter', 'caddyfile'], { env, stdio: 'pipe' });
}

/** A new user with an authenticator app (through the API). */
async function newUserWithApp(admin: Admin, request: APIRequestContext): Promise<Authenticator> {
  await admin.ok(admin.post('/admin/users', { email: USER, display_name: 'Trent Tester', role: 'user' }));
  const api = new Api(request);
  await api.welcome(emailedLink(USER, 'invitation'));
  const app = await api.enrollTotp();
  await api.post('/logout');
  return app;
}

/** Signs in on the portal's page for the site: password, then a code. */
async function signInForSite(page: Page, site: string, app: Authenticator) {
  await expect(page).toHaveURL(/\/login\?next=%2Fsso%2F/);
  await expect(page.getByText('to continue to')).toContainText(site);
  await submitLogin(page, USER);
  await expect(page).toHaveURL(/\/login\/mfa/);
  await page.getByLabel('Authentication code').fill(await app.code());
  await page.getByRole('button', { name: 'Verify' }).click();
}

test.describe.serial('forward-auth behind real nginx and Caddy', () => {
  let dir = '';
  let up: Server | undefined;
  const procs: ChildProcess[] = [];
  const logs: string[] = [];
  let guarded = 0; // nginx, second factor
  let closed = 0; // nginx, deny
  let caddy = 0; // Caddy, second factor (added on the admin page)
  let caddyClosed = 0; // Caddy, deny
  // The user's authenticator app, kept across tests (each has its own
  // request context, so the app is made again from its key and last step).
  let key = '';
  let lastStep = -1;
  const appFor = (request: APIRequestContext) => new Authenticator(request, key, lastStep, (s) => (lastStep = s));

  test.beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-proxies-'));
    const upPort = await freePort();
    [guarded, closed, caddy, caddyClosed] = [await freePort(), await freePort(), await freePort(), await freePort()];
    up = await upstream(upPort);
    const nginx = startNginx(dir, [guarded, closed], upPort);
    const caddyProc = startCaddy(dir, [caddy, caddyClosed], upPort);
    for (const p of [nginx, caddyProc]) {
      procs.push(p);
      p.stdout?.on('data', (d) => logs.push(String(d)));
      p.stderr?.on('data', (d) => logs.push(String(d)));
    }
    await answering(guarded, nginx, () => logs.join(''));
    await answering(caddy, caddyProc, () => logs.join(''));
    await answering(caddyClosed, caddyProc, () => logs.join(''));
  });

  test.afterAll(async () => {
    for (const p of procs) p.kill('SIGTERM');
    up?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('an administrator adds a rule for a site on the Apps page', async ({ page, request }) => {
    const admin = await logInAsAdmin(page, request);
    await page.goto('/admin/apps');
    const sites = page.getByRole('region', { name: 'Sites behind your proxy' });
    await sites.getByRole('button', { name: 'Add a site' }).click();
    await sites.getByLabel('Domain').fill(`https://localhost:${caddy}/`);
    await sites.getByLabel('Who gets in').selectOption('second_factor');
    await sites.getByRole('button', { name: 'Save the rule' }).click();
    await expect(sites.getByRole('alert')).toContainText('is not a domain a rule can cover');
    await sites.getByLabel('Domain').fill(`localhost:${caddy}`);
    await sites.getByRole('button', { name: 'Save the rule' }).click();
    await expect(sites.getByRole('status')).toHaveText(`The rule for localhost:${caddy} is saved.`);
    await expect(sites.getByRole('cell', { name: 'Always a second factor' })).toBeVisible();
    // The form and the list: axe finds nothing, in both schemes; nothing
    // overflows at 320 px.
    await sites.getByRole('button', { name: `Change the rule for localhost:${caddy}` }).click();
    await sites.getByLabel('Everyone').uncheck();
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const found = await new AxeBuilder({ page }).include('#sites-title').include('section[aria-labelledby="sites-title"]').analyze();
      expect(found.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), colorScheme).toEqual([]);
    }
    await page.setViewportSize({ width: 320, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await page.setViewportSize({ width: 1280, height: 720 });
    await sites.getByRole('button', { name: 'Cancel' }).click();
    // The nginx sites through the API: one needs a second factor, one is closed.
    await admin.ok(admin.post('/admin/sites', { domain: `localhost:${guarded}`, rule: 'second_factor', everyone: true }));
    await admin.ok(admin.post('/admin/sites', { domain: `localhost:${closed}`, rule: 'deny', everyone: true }));
    await admin.ok(admin.post('/admin/sites', { domain: `localhost:${caddyClosed}`, rule: 'deny', everyone: true }));
    const made = await newUserWithApp(admin, request);
    [key, lastStep] = [made.secret, made.step];
    await logOut(page);
  });

  test('signed out, each proxy sends the browser to sign in; after the second factor the site sees who it is', async ({ page, request }) => {
    const app = appFor(request);
    // nginx: 401 from the portal, turned into a redirect by error_page.
    const site = `http://localhost:${guarded}/hello?x=1`;
    await page.goto(site);
    await signInForSite(page, `localhost:${guarded}`, app);
    await page.waitForURL(site);
    await expect(page.locator('#user')).toHaveText(USER);
    await expect(page.locator('#email')).toHaveText(USER);

    // A deny rule: 403, signed in or not, through either proxy.
    const refused = await page.goto(`http://localhost:${closed}/`);
    expect(refused?.status()).toBe(403);
    const refusedByCaddy = await page.goto(`http://localhost:${caddyClosed}/`);
    expect(refusedByCaddy?.status()).toBe(403);
    await expect(page.locator('#user')).toHaveCount(0);

    // Caddy, after signing out: its redirect straight to the portal.
    await page.goto('/');
    await logOut(page);
    const there = `http://localhost:${caddy}/reports`;
    await page.goto(there);
    await signInForSite(page, `localhost:${caddy}`, app);
    await page.waitForURL(there);
    await expect(page.locator('#user')).toHaveText(USER);
    // Single sign-on: the nginx site opens with the same session.
    await page.goto(site);
    await expect(page.locator('#user')).toHaveText(USER);
    await page.goto('/');
    await logOut(page);
  });

  test('a session that passed the password alone is stepped up for a second-factor site', async ({ page, request }) => {
    const admin = await adminWithMfa(request);
    const app = appFor(request);
    await admin.settings({ trusted_browser_days: 30 });
    try {
      // Trust this browser: later logins pass the password alone.
      await page.goto('/login');
      await submitLogin(page, USER);
      await page.getByLabel('Authentication code').fill(await app.code());
      await page.getByLabel('Don’t ask again on this browser for 30 days').check();
      await page.getByRole('button', { name: 'Verify' }).click();
      await expect(page.getByRole('heading', { name: /^Welcome/ })).toBeVisible();
      for (const [port, path] of [
        [caddy, '/caddy-step-up'],
        [guarded, '/nginx-step-up'],
      ] as const) {
        await page.goto('/');
        await logOut(page);
        await submitLogin(page, USER);
        await expect(page.getByRole('heading', { name: /^Welcome/ })).toBeVisible();
        // Only the missing factor is asked, and the browser goes on.
        const url = `http://localhost:${port}${path}`;
        await page.goto(url);
        await expect(page.getByRole('heading', { name: `localhost:${port} asks for a second factor` })).toBeVisible();
        await page.getByLabel('Code from your authenticator app').fill(await app.code());
        await page.getByRole('button', { name: 'Verify and continue' }).click();
        await page.waitForURL(url);
        await expect(page.locator('#user')).toHaveText(USER);
      }
      await page.goto('/');
      await logOut(page);
    } finally {
      await admin.settings({ trusted_browser_days: null });
      // The other specs see the demo organisation without these sites.
      for (const site of await admin.ok<{ id: string }[]>(admin.get('/admin/sites'))) {
        await admin.ok(admin.request.delete(`/api/v1/admin/sites/${site.id}`, { headers: CSRF }));
      }
    }
  });
});
