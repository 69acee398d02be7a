//! Hosts as `pam_portcullis.so` drives them, through the host API: an
//! administrator registers a host and hands over its one-time token; the
//! host enrolls its own key and signs every request after that. After a
//! user's password passed on the host, the portal says what they need
//! there (let in, refused in words, or a second factor), then checks a
//! code or sends a push naming the host. The real module runs under
//! `pamtester` in `crates/pam/tests`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use portcullis_api::hosts::{
    HostAllowed, HostEnrollRequest, HostEnrolled, HostEnrollment, HostInput, HostNeed,
    HostPushWait, UnknownUsers, HOST_SIGNATURE_SCHEME, HOST_TOKEN_HOURS,
};
use portcullis_api::protect::{PushStarted, PushStatus};
use portcullis_api::{ErrorCode, EventPage, NewRecoveryCodes};
use portcullis_server::clock::{Clock, ManualClock};
use sha2::{Digest, Sha256};

use crate::client::{Answer, Api};
use crate::device::{new_key, public_key, Device};
use crate::fixtures::TestServer;
use crate::groups;

const IVAN: &str = "ivan@example.com";

fn input(name: &str) -> HostInput {
    HostInput {
        name: name.into(),
        mfa: true,
        unknown_users: UnknownUsers::Deny,
        offline_totp: false,
        everyone: true,
        groups: vec![],
        users: vec![],
    }
}

/// A host that enrolled with its own key.
struct Host {
    base: String,
    portal: String,
    id: String,
    key: SigningKey,
    clock: ManualClock,
    http: reqwest::Client,
}

impl Host {
    async fn enroll(s: &TestServer, token: &str) -> Host {
        let key = new_key();
        let api = s.api();
        let enrolled: HostEnrolled = api
            .post(
                "/api/host/v1/enroll",
                &HostEnrollRequest {
                    token: token.into(),
                    public_key: public_key(&key),
                },
            )
            .await
            .ok();
        Host {
            base: s.url(""),
            portal: enrolled.portal,
            id: enrolled.host_id,
            key,
            clock: s.clock.clone(),
            http: reqwest::Client::new(),
        }
    }

    /// A request signed by `scheme` (the host's, or another to see it
    /// refused).
    async fn send_as<T: serde::de::DeserializeOwned>(
        &self,
        scheme: &str,
        nonce: &str,
        target: &str,
        body: Option<&serde_json::Value>,
    ) -> Answer<T> {
        let bytes = body
            .map(|b| serde_json::to_vec(b).expect("json"))
            .unwrap_or_default();
        let time = self.clock.now().to_string();
        let digest = hex::encode(Sha256::digest(&bytes));
        let message = portcullis_api::signing::message(
            scheme,
            &portcullis_api::signing::Parts {
                portal: &self.portal,
                signer: &self.id,
                method: "POST",
                target,
                time: &time,
                nonce,
                body_sha256_hex: &digest,
            },
        );
        let signature = URL_SAFE_NO_PAD.encode(self.key.sign(message.as_bytes()).to_bytes());
        let mut req = self
            .http
            .post(format!("{}{target}", self.base))
            .header("x-portcullis-host", &self.id)
            .header("x-portcullis-time", &time)
            .header("x-portcullis-nonce", nonce)
            .header("x-portcullis-signature", signature);
        if body.is_some() {
            req = req.header("content-type", "application/json").body(bytes);
        }
        Api::read(req.send().await.expect("request")).await
    }

    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        target: &str,
        body: Option<&serde_json::Value>,
    ) -> Answer<T> {
        let nonce = URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes());
        self.send_as(HOST_SIGNATURE_SCHEME, &nonce, target, body)
            .await
    }

    async fn need(&self, user: &str) -> Answer<HostNeed> {
        let body = serde_json::json!({"user": user, "from": "192.0.2.7"});
        self.send("/api/host/v1/login", Some(&body)).await
    }

    async fn code(&self, user: &str, code: &str) -> Answer<HostAllowed> {
        let body = serde_json::json!({"user": user, "code": code});
        self.send("/api/host/v1/login/code", Some(&body)).await
    }

    async fn push(&self, user: &str) -> Answer<PushStarted> {
        let body = serde_json::json!({"user": user});
        self.send("/api/host/v1/login/push", Some(&body)).await
    }

    async fn wait(&self, id: &str, wait: u64) -> Answer<HostPushWait> {
        self.send(
            &format!("/api/host/v1/login/push/{id}/wait?wait={wait}"),
            None,
        )
        .await
    }
}

/// An administrator with a fresh second factor registers a host.
async fn register(admin: &Api, host: &HostInput) -> HostEnrollment {
    let made: Answer<HostEnrollment> = admin.post("/api/v1/admin/hosts", host).await;
    assert_eq!(made.status, 201);
    made.ok()
}

async fn events(admin: &Api, kind: &str) -> EventPage {
    admin
        .get(&format!("/api/v1/admin/events?kind={kind}&limit=100"))
        .await
        .ok()
}

#[tokio::test]
async fn a_host_enrolls_once_and_asks_for_a_code_after_the_password() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let made = register(&admin, &input("web-1")).await;
    assert!(made.command.contains(&made.token), "{}", made.command);
    assert!(made.command.contains("portcullis-pam enroll --url"));
    assert!(made.host.enrolled_at.is_none() && made.host.token_expires_at.is_some());

    // A bad key is refused in words and leaves the token good.
    let bad: Answer<HostEnrolled> = s
        .api()
        .post(
            "/api/host/v1/enroll",
            &HostEnrollRequest {
                token: made.token.clone(),
                public_key: "not-a-key".into(),
            },
        )
        .await;
    assert_eq!(bad.status, 422);
    let host = Host::enroll(&s, &made.token).await;
    // The token is single use.
    let again: Answer<HostEnrolled> = s
        .api()
        .post(
            "/api/host/v1/enroll",
            &HostEnrollRequest {
                token: made.token.clone(),
                public_key: public_key(&new_key()),
            },
        )
        .await;
    assert_eq!(again.status, 401);
    assert!(again.err().message.contains("expired or was used"));

    let (_, key) = s.enrolled(IVAN).await;
    let need = host.need("ivan").await.ok();
    assert_eq!(
        need,
        HostNeed::SecondFactor {
            push: false,
            codes: true,
            offline: None
        }
    );
    // The whole email names him too.
    assert_eq!(host.need(IVAN).await.ok(), need);

    let wrong = host.code("ivan", &s.wrong_code(&key)).await;
    assert_eq!(wrong.status, 401);
    s.next_step();
    let ok = host.code("ivan", &s.code(&key, 0)).await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);

    let logins = events(&admin, "system_login").await;
    let e = &logins.events[0];
    assert_eq!(e.resource.as_deref(), Some("web-1"));
    assert_eq!(e.subject_email.as_deref(), Some(IVAN));
    assert!(
        e.detail.starts_with("password + authenticator app"),
        "{}",
        e.detail
    );
    let refused = events(&admin, "system_refused").await;
    assert!(refused.events[0]
        .detail
        .contains("authenticator code refused"));

    // The list shows it enrolled, its token gone.
    let list: Vec<portcullis_api::hosts::Host> = admin.get("/api/v1/admin/hosts").await.ok();
    assert!(list[0].enrolled_at.is_some() && list[0].token_expires_at.is_none());
}

#[tokio::test]
async fn a_push_names_the_host_and_its_approval_lets_one_login_in() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let host = Host::enroll(&s, &register(&admin, &input("db-1")).await.token).await;
    let (api, _) = s.password_login(IVAN).await;
    let device = Device::for_user(&s, &api).await;

    let need = host.need("ivan").await.ok();
    assert!(
        matches!(need, HostNeed::SecondFactor { push: true, .. }),
        "{need:?}"
    );
    let push = host.push("ivan").await.ok();
    let pending = device.pending(0).await.ok();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].resource, "db-1");
    device.approve(&push.id, i64::from(push.number)).await.ok();
    let answer = host.wait(&push.id, 5).await.ok();
    assert_eq!(answer.status, PushStatus::Approved);
    // One approval, one login.
    assert_eq!(host.wait(&push.id, 0).await.fail().0, 409);

    // A denial says so.
    let push = host.push("ivan").await.ok();
    device.deny(&push.id).await.ok();
    let answer = host.wait(&push.id, 5).await.ok();
    assert_eq!(answer.status, PushStatus::Denied);
    assert!(answer.message.contains("denied"), "{}", answer.message);

    // Unanswered for a minute: expired, in words, and refused.
    let push = host.push("ivan").await.ok();
    s.advance(61);
    let answer = host.wait(&push.id, 0).await.ok();
    assert_eq!(answer.status, PushStatus::Expired);
    assert!(answer.message.contains("expired"), "{}", answer.message);
    let refused = events(&admin, "system_refused").await;
    assert_eq!(refused.events[0].detail, "push expired unanswered");

    // Another host cannot wait for this host's push.
    let other = Host::enroll(&s, &register(&admin, &input("db-2")).await.token).await;
    let push = host.push("ivan").await.ok();
    assert_eq!(
        other.wait(&push.id, 0).await.fail(),
        (404, ErrorCode::NotFound)
    );

    let logins = events(&admin, "system_login").await;
    assert!(logins.events[0]
        .detail
        .starts_with("password + Protect push"));
    assert_eq!(logins.events[0].resource.as_deref(), Some("db-1"));
}

#[tokio::test]
async fn the_portals_rules_decide_who_is_let_in() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let made = register(&admin, &input("build")).await;
    let host = Host::enroll(&s, &made.token).await;

    // Unknown to Portcullis: refused, then let in when the host says so.
    let need = host.need("postgres").await.ok();
    assert!(
        matches!(&need, HostNeed::Deny { message } if message.contains("does not know the account postgres")),
        "{need:?}"
    );
    let mut pass = input("build");
    pass.unknown_users = UnknownUsers::Pass;
    let put = admin
        .http
        .put(admin.url(&format!("/api/v1/admin/hosts/{}", made.host.id)))
        .json(&pass)
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 200);
    assert_eq!(
        host.need("postgres").await.ok(),
        HostNeed::Allow { message: None }
    );

    // MFA not required and nothing set up: the password is enough.
    assert_eq!(
        host.need("alice").await.ok(),
        HostNeed::Allow { message: None }
    );
    // In the enrollment period: let in with the days left.
    let need = host.need("carol").await.ok();
    assert!(
        matches!(&need, HostNeed::Allow { message: Some(m) } if m.contains("within 7 days")),
        "{need:?}"
    );
    // Period over, or required with none: refused in the portal's words.
    let need = host.need("erin").await.ok();
    assert!(
        matches!(&need, HostNeed::Deny { message } if message.contains("run out")),
        "{need:?}"
    );
    let need = host.need("heidi").await.ok();
    assert!(
        matches!(&need, HostNeed::Deny { message } if message.contains("must set up")),
        "{need:?}"
    );
    // No code is taken where none is asked.
    assert_eq!(host.code("alice", "123456").await.status, 403);

    // Assigned to nobody but Ivan: Alice is refused.
    let ivan = s.user_id(&admin, IVAN).await;
    let mut only_ivan = input("build");
    only_ivan.everyone = false;
    only_ivan.users = vec![portcullis_api::apps::Id(ivan)];
    let put = admin
        .http
        .put(admin.url(&format!("/api/v1/admin/hosts/{}", made.host.id)))
        .json(&only_ivan)
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 200);
    let need = host.need("alice").await.ok();
    assert!(
        matches!(&need, HostNeed::Deny { message } if message.contains("may not sign in to build")),
        "{need:?}"
    );

    // MFA off: Ivan's password is enough.
    let mut off = only_ivan.clone();
    off.mfa = false;
    let put = admin
        .http
        .put(admin.url(&format!("/api/v1/admin/hosts/{}", made.host.id)))
        .json(&off)
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 200);
    assert_eq!(
        host.need("ivan").await.ok(),
        HostNeed::Allow { message: None }
    );

    let refused = events(&admin, "system_refused").await;
    assert!(refused
        .events
        .iter()
        .all(|e| e.resource.as_deref() == Some("build")));
    assert!(refused
        .events
        .iter()
        .any(|e| e.detail.contains("not assigned")));
}

#[tokio::test]
async fn a_host_that_checks_codes_offline_gets_the_key_at_each_online_check() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let mut offline = input("laptop");
    offline.offline_totp = true;
    let made = register(&admin, &offline).await;
    assert!(made.host.offline_totp);
    let host = Host::enroll(&s, &made.token).await;
    let (_, key) = s.enrolled(IVAN).await;
    let need = host.need("ivan").await.ok();
    let HostNeed::SecondFactor {
        offline: Some(data),
        ..
    } = need
    else {
        panic!("no offline data in {need:?}");
    };
    assert_eq!(data.secret, key);
    assert!(data.last_step > 0);
    assert_eq!(data.valid_until, s.now() + 7 * 86_400);
    // Never in a log line.
    assert!(!format!("{data:?}").contains(&key));

    // Switched off: nothing is sent (the host forgets what it kept).
    offline.offline_totp = false;
    let put = admin
        .http
        .put(admin.url(&format!("/api/v1/admin/hosts/{}", made.host.id)))
        .json(&offline)
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 200);
    let need = host.need("ivan").await.ok();
    assert!(
        matches!(need, HostNeed::SecondFactor { offline: None, .. }),
        "{need:?}"
    );
}

#[tokio::test]
async fn a_recovery_code_stands_in_once() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let host = Host::enroll(&s, &register(&admin, &input("jump")).await.token).await;
    let (api, _) = s.enrolled(IVAN).await;
    let codes: NewRecoveryCodes = api.post_empty("/api/v1/recovery-codes").await.ok();
    let code = &codes.codes[0];
    assert_eq!(host.code("ivan", code).await.status, 200);
    assert_eq!(host.code("ivan", code).await.status, 401);
    let logins = events(&admin, "system_login").await;
    assert!(logins.events[0]
        .detail
        .starts_with("password + recovery code"));
}

#[tokio::test]
async fn only_the_hosts_own_fresh_signature_is_taken_and_removal_ends_it() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let made = register(&admin, &input("edge")).await;
    let host = Host::enroll(&s, &made.token).await;
    let body = serde_json::json!({"user": "alice"});

    // Unsigned.
    let bare: Answer<HostNeed> = s.api().post("/api/host/v1/login", &body).await;
    assert_eq!(bare.fail(), (401, ErrorCode::Unauthenticated));
    // Signed as a Protect device signs: not a host's signature.
    let nonce = "nonce-nonce-nonce-0001";
    let device: Answer<HostNeed> = host
        .send_as(
            "portcullis-protect-v2",
            nonce,
            "/api/host/v1/login",
            Some(&body),
        )
        .await;
    assert!(device.err().message.contains("signature does not match"));
    // A nonce is used once.
    let first: Answer<HostNeed> = host
        .send_as(
            HOST_SIGNATURE_SCHEME,
            nonce,
            "/api/host/v1/login",
            Some(&body),
        )
        .await;
    assert_eq!(first.status, 200);
    let replay: Answer<HostNeed> = host
        .send_as(
            HOST_SIGNATURE_SCHEME,
            nonce,
            "/api/host/v1/login",
            Some(&body),
        )
        .await;
    assert!(replay.err().message.contains("sent before"));

    // A new token does not end the key until it is used.
    let renewed: HostEnrollment = admin
        .post_empty(&format!("/api/v1/admin/hosts/{}/token", made.host.id))
        .await
        .ok();
    assert_eq!(host.need("alice").await.status, 200);
    let moved = Host::enroll(&s, &renewed.token).await;
    assert_eq!(host.need("alice").await.status, 401);
    assert_eq!(moved.need("alice").await.status, 200);

    // Removed: refused at once.
    let gone = admin
        .http
        .delete(admin.url(&format!("/api/v1/admin/hosts/{}", made.host.id)))
        .send()
        .await
        .expect("delete");
    assert_eq!(gone.status(), 204);
    let after = moved.need("alice").await;
    assert!(after.err().message.contains("not registered any more"));
    let changes = events(&admin, "admin_system_changed").await;
    assert!(changes.events[0].detail.contains("removed the host edge"));
}

#[tokio::test]
async fn host_names_are_checked() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    register(&admin, &input("web")).await;
    let dup: Answer<HostEnrollment> = admin.post("/api/v1/admin/hosts", &input("WEB")).await;
    assert_eq!(dup.fail().0, 409);
    let blank: Answer<HostEnrollment> = admin.post("/api/v1/admin/hosts", &input("  ")).await;
    assert_eq!(blank.fail().0, 422);
}

/// The host's enrollment, as `portcullis-pam enroll` sends it, with a new key.
async fn try_enroll(s: &TestServer, token: &str) -> Answer<HostEnrolled> {
    s.api()
        .post(
            "/api/host/v1/enroll",
            &HostEnrollRequest {
                token: token.into(),
                public_key: public_key(&new_key()),
            },
        )
        .await
}

/// Changes a host's settings as an administrator.
async fn change(admin: &Api, id: &str, host: &HostInput) {
    let put = admin
        .http
        .put(admin.url(&format!("/api/v1/admin/hosts/{id}")))
        .json(host)
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 200);
}

#[tokio::test]
async fn an_enrollment_token_works_for_24_hours_and_not_after() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let early = register(&admin, &input("early")).await;
    let late = register(&admin, &input("late")).await;
    let day = HOST_TOKEN_HOURS * 3600;
    assert_eq!(day, 24 * 3600);
    assert_eq!(late.host.token_expires_at, Some(s.now() + day));

    // A second before the day is out: taken.
    s.advance(day - 1);
    let host = Host::enroll(&s, &early.token).await;
    assert_eq!(host.need("alice").await.status, 200);

    // The day is out: refused in words, and nothing enrolled.
    s.advance(1);
    let refused = try_enroll(&s, &late.token).await;
    assert_eq!(refused.status, 401);
    let message = refused.err().message;
    assert!(message.contains("has expired"), "{message}");
    assert!(message.contains("Make a new one"), "{message}");
    let (admin, _) = s.admin().await;
    let list: Vec<portcullis_api::hosts::Host> = admin.get("/api/v1/admin/hosts").await.ok();
    let listed = list.iter().find(|h| h.name == "late").expect("late");
    assert!(listed.enrolled_at.is_none());
    assert!(
        listed.token_expires_at.is_none(),
        "an expired token is not shown"
    );

    // A new token from the administrator works again.
    let renewed: HostEnrollment = admin
        .post_empty(&format!("/api/v1/admin/hosts/{}/token", late.host.id))
        .await
        .ok();
    assert_eq!(renewed.host.token_expires_at, Some(s.now() + day));
    let moved = Host::enroll(&s, &renewed.token).await;
    assert_eq!(moved.need("alice").await.status, 200);
    // The expired one stays dead.
    assert_eq!(try_enroll(&s, &late.token).await.status, 401);
}

#[tokio::test]
async fn a_host_assigned_to_a_group_lets_in_its_members_only() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let ops = groups::create(&admin, "Ops").await.ok();
    let ivan = s.user_id(&admin, IVAN).await;
    groups::member(&admin, &ops.id, &ivan, true).await.ok();

    // MFA off, so the assignment alone decides.
    let mut only_ops = input("bastion");
    only_ops.mfa = false;
    only_ops.everyone = false;
    only_ops.groups = vec![portcullis_api::apps::Id(ops.id.clone())];
    let made = register(&admin, &only_ops).await;
    assert_eq!(made.host.groups.len(), 1);
    let host = Host::enroll(&s, &made.token).await;

    // A member is let in; a non-member is refused in words.
    assert_eq!(
        host.need("ivan").await.ok(),
        HostNeed::Allow { message: None }
    );
    let need = host.need("alice").await.ok();
    assert!(
        matches!(&need, HostNeed::Deny { message } if message.contains("may not sign in to bastion")),
        "{need:?}"
    );

    // Membership is read afresh: Alice joins and is let in, Ivan leaves
    // and is refused.
    let alice = s.user_id(&admin, "alice@example.com").await;
    groups::member(&admin, &ops.id, &alice, true).await.ok();
    groups::member(&admin, &ops.id, &ivan, false).await.ok();
    assert_eq!(
        host.need("alice").await.ok(),
        HostNeed::Allow { message: None }
    );
    let need = host.need("ivan").await.ok();
    assert!(
        matches!(&need, HostNeed::Deny { message } if message.contains("may not sign in to bastion")),
        "{need:?}"
    );

    // With MFA on, a member is asked for the second factor, a non-member
    // still refused before any factor is asked.
    let (admin, _) = s.admin().await;
    let mut with_mfa = only_ops.clone();
    with_mfa.mfa = true;
    change(&admin, &made.host.id, &with_mfa).await;
    s.enrolled("alice@example.com").await;
    let need = host.need("alice").await.ok();
    assert!(
        matches!(need, HostNeed::SecondFactor { codes: true, .. }),
        "{need:?}"
    );
    let need = host.need("ivan").await.ok();
    assert!(matches!(need, HostNeed::Deny { .. }), "{need:?}");

    let refused = events(&admin, "system_refused").await;
    assert!(refused
        .events
        .iter()
        .any(|e| e.subject_email.as_deref() == Some(IVAN) && e.detail.contains("not assigned")));
}
