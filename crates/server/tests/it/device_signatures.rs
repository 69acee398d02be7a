//! The device API's signatures: a request signed by the device's key over
//! the portal's origin, its id, method, target, time, nonce and body is
//! taken; one signed by another key, or for another portal or device, or
//! over another body or path, or with a time more than 5 minutes off (or
//! not a time at all), or with a nonce seen before, or from a device that
//! is unknown or was replaced, or one only a lax check would take (a weak
//! key), is a 401 in words; a weak key is refused at enrollment. No cookie
//! and no CSRF header needed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portcullis_api::protect::{DeviceStatus, PushOutcome};
use portcullis_api::{ErrorCode, LoginResponse};
use serde_json::json;

use crate::client::{Answer, Api};
use crate::device::{enroll_request, link, new_key, token_of, Bend, Device};
use crate::fixtures::TestServer;

const ALICE: &str = "alice@example.com";
const STATUS: &str = "/api/device/v1/status";

async fn device(s: &TestServer) -> Device {
    let (api, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    Device::for_user(s, &api).await
}

#[track_caller]
fn refused<T: std::fmt::Debug>(answer: Answer<T>, words: &str) {
    assert_eq!(answer.status, 401);
    let e = answer.err();
    assert_eq!(e.code, ErrorCode::Unauthenticated);
    assert!(
        e.message.contains(words),
        "{words:?} not in {:?}",
        e.message
    );
}

#[tokio::test]
async fn a_request_signed_by_the_device_is_taken() {
    let s = TestServer::start().await;
    let d = device(&s).await;
    let status: DeviceStatus = d.status().await.ok();
    assert_eq!(status.user_email, ALICE);
    assert_eq!(status.label, "Ada's phone");
    // The query is part of what is signed, and a POST needs no CSRF header.
    d.pending(0).await.ok();
    let answer: Answer<PushOutcome> = d
        .send(
            "POST",
            "/api/device/v1/requests/nothing/approve",
            Some(&json!({"number": 42, "user_verified": false})),
            &Bend::default(),
        )
        .await;
    assert_eq!(answer.fail(), (404, ErrorCode::NotFound));
}

#[tokio::test]
async fn a_signature_by_another_key_or_over_other_parts_is_refused() {
    let s = TestServer::start().await;
    let d = device(&s).await;
    let wrong_key = Bend {
        key: Some(new_key()),
        ..Default::default()
    };
    refused(
        d.send::<DeviceStatus>("GET", STATUS, None, &wrong_key)
            .await,
        "signature",
    );
    let unsigned = Bend {
        unsigned: true,
        ..Default::default()
    };
    refused(
        d.send::<DeviceStatus>("GET", STATUS, None, &unsigned).await,
        "not signed",
    );
    // The body: signed one, sent another.
    let body = json!({"number": 42, "user_verified": false});
    let other_body = Bend {
        signed_body: Some(br#"{"number":17,"user_verified":false}"#.to_vec()),
        ..Default::default()
    };
    let target = "/api/device/v1/requests/x/approve";
    refused(
        d.send::<PushOutcome>("POST", target, Some(&body), &other_body)
            .await,
        "signature",
    );
    // The path, and the query.
    let other_path = Bend {
        signed_target: Some("/api/device/v1/pending".into()),
        ..Default::default()
    };
    refused(
        d.send::<DeviceStatus>("GET", STATUS, None, &other_path)
            .await,
        "signature",
    );
    let other_query = Bend {
        signed_target: Some("/api/device/v1/pending?wait=0".into()),
        ..Default::default()
    };
    refused(
        d.send::<serde_json::Value>("GET", "/api/device/v1/pending?wait=1", None, &other_query)
            .await,
        "signature",
    );
    // The method.
    let answer = d
        .send::<serde_json::Value>(
            "POST",
            "/api/device/v1/requests/x/deny",
            None,
            &Bend {
                signed_target: Some("/api/device/v1/requests/y/deny".into()),
                ..Default::default()
            },
        )
        .await;
    refused(answer, "signature");
}

#[tokio::test]
async fn a_time_more_than_five_minutes_off_is_refused() {
    let s = TestServer::start().await;
    let d = device(&s).await;
    for off in [-300, 300] {
        let bend = Bend {
            time_off: off,
            ..Default::default()
        };
        d.send::<DeviceStatus>("GET", STATUS, None, &bend)
            .await
            .ok();
    }
    for off in [-301, 301, -3600] {
        let bend = Bend {
            time_off: off,
            ..Default::default()
        };
        refused(
            d.send::<DeviceStatus>("GET", STATUS, None, &bend).await,
            "clock",
        );
    }
}

/// Every answer of the device API tells the portal's time, so a device
/// refused for its time can learn its offset again.
#[tokio::test]
async fn every_answer_carries_the_portals_time() {
    let s = TestServer::start().await;
    let d = device(&s).await;
    let time = |a: &Answer<DeviceStatus>| {
        a.headers
            .get("x-protect-server-time")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<i64>().ok())
    };
    let ok = d.status().await;
    assert_eq!(time(&ok), Some(s.now()));
    s.advance(600);
    let late = d
        .send::<DeviceStatus>(
            "GET",
            STATUS,
            None,
            &Bend {
                time_off: -600,
                ..Default::default()
            },
        )
        .await;
    assert_eq!(time(&late), Some(s.now()));
    refused(late, "clock");
    let unsigned = Bend {
        unsigned: true,
        ..Default::default()
    };
    let refused_answer = d.send::<DeviceStatus>("GET", STATUS, None, &unsigned).await;
    assert_eq!(time(&refused_answer), Some(s.now()));
}

#[tokio::test]
async fn a_nonce_is_taken_once() {
    let s = TestServer::start().await;
    let d = device(&s).await;
    d.status().await.ok();
    let used = d.last_nonce.lock().unwrap().clone();
    let replay = Bend {
        nonce: Some(used.clone()),
        ..Default::default()
    };
    refused(
        d.send::<DeviceStatus>("GET", STATUS, None, &replay).await,
        "nonce",
    );
    // Still refused minutes later, while its time could still pass.
    s.advance(299);
    refused(
        d.send::<DeviceStatus>("GET", STATUS, None, &replay).await,
        "nonce",
    );
    // A malformed nonce is refused before anything else.
    let short = Bend {
        nonce: Some("short".into()),
        ..Default::default()
    };
    refused(
        d.send::<DeviceStatus>("GET", STATUS, None, &short).await,
        "nonce",
    );
}

#[tokio::test]
async fn an_unknown_or_replaced_device_is_told_it_is_not_enrolled() {
    let s = TestServer::start().await;
    let d = device(&s).await;
    let mut unknown = d.at(&s.base);
    unknown.id = "0123456789abcdef".into();
    refused(unknown.status().await, "not enrolled any more");
    // Replaced: a new enrollment of the same user.
    let api = crate::device::sign_in(&s, ALICE, &d).await;
    let new = Device::for_user(&s, &api).await;
    refused(d.status().await, "not enrolled any more");
    new.status().await.ok();
    // The old key over the new id is no better.
    let mut old_key = new.at(&s.base);
    old_key.key = d.key.clone();
    refused(old_key.status().await, "signature");
}

#[tokio::test]
async fn a_signature_for_another_portal_or_device_is_refused() {
    let s = TestServer::start().await;
    let d = device(&s).await;
    assert_eq!(d.portal, s.base, "the enrollment names the portal");
    let elsewhere = Bend {
        signed_portal: Some("https://other-portal.example".into()),
        ..Default::default()
    };
    refused(
        d.send::<DeviceStatus>("GET", STATUS, None, &elsewhere)
            .await,
        "signature",
    );
    let other_device = Bend {
        signed_device: Some("0123456789abcdef0123456789abcdef".into()),
        ..Default::default()
    };
    refused(
        d.send::<DeviceStatus>("GET", STATUS, None, &other_device)
            .await,
        "signature",
    );
    d.status().await.ok();
}

#[tokio::test]
async fn a_time_that_is_no_time_or_absurd_is_a_refusal_in_words() {
    let s = TestServer::start().await;
    let d = device(&s).await;
    let cases = [
        ("-1", "Unix seconds"),
        ("-9223372036854775808", "Unix seconds"),
        ("+1700000000", "Unix seconds"),
        ("99999999999999999999999999", "Unix seconds"),
        ("9223372036854775807", "clock"),
        ("18446744073709551615", "clock"),
        ("0", "clock"),
    ];
    for (time, words) in cases {
        let bend = Bend {
            raw_time: Some(time.into()),
            ..Default::default()
        };
        refused(
            d.send::<DeviceStatus>("GET", STATUS, None, &bend).await,
            words,
        );
    }
    d.status().await.ok();
}

/// The identity point: an Ed25519 "public key" of order 1, under which
/// the signature (identity, 0) passes the lax check for every message.
fn identity_key() -> String {
    let mut bytes = [0u8; 32];
    bytes[0] = 1;
    URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn a_weak_key_is_refused_at_enrollment() {
    let s = TestServer::start().await;
    let (api, _) = s.password_login(ALICE).await;
    let token = token_of(&link(&api).await.uri);
    let mut request = enroll_request(&token, &new_key(), s.now());
    request.public_key = identity_key();
    let refused = Api::new(&s.base)
        .post::<serde_json::Value>("/api/device/v1/enroll", &request)
        .await;
    assert_eq!(refused.status, 422);
    let e = refused.err();
    assert!(e.message.contains("weak"), "{}", e.message);
    // The refusal cost the user no link.
    let request = enroll_request(&token, &new_key(), s.now());
    Api::new(&s.base)
        .post::<serde_json::Value>("/api/device/v1/enroll", &request)
        .await
        .ok();
}

#[tokio::test]
async fn a_signature_only_a_lax_check_would_take_is_refused() {
    let s = TestServer::start().await;
    let d = device(&s).await;
    // A weak key slipped into the table (as if enrolled before keys were
    // checked): any request "signed" (identity, 0) would pass a lax check.
    sqlx::query("UPDATE protect_devices SET public_key = $1 WHERE id = $2")
        .bind(identity_key())
        .bind(&d.id)
        .execute(&s.state.db)
        .await
        .unwrap();
    let mut forged = [0u8; 64];
    forged[0] = 1;
    let bend = Bend {
        raw_signature: Some(URL_SAFE_NO_PAD.encode(forged)),
        ..Default::default()
    };
    refused(
        d.send::<DeviceStatus>("GET", STATUS, None, &bend).await,
        "signature",
    );
}
