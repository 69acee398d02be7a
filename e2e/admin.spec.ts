import { test, expect } from '@playwright/test';
import { ADMIN, Admin, Api, adminApp, adminWithoutApp, advance } from './fixtures';

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
