//! The challenge store on a real SQLite file: a challenge is good once,
//! until it expires, for the session and kind it was made for only — also
//! when many requests race for it.

use portcullis_server::challenge::{put, take, Kind};
use portcullis_server::clock::{Clock, ManualClock};
use portcullis_server::store::{self, Db};

use crate::fixtures::T0;

const SESSION: &str = "hash-of-session-a";
const OTHER_SESSION: &str = "hash-of-session-b";
const PAYLOAD: &str = r#"{"challenge":"q1w2e3"}"#;
const LIFETIME: i64 = 300;

/// A migrated database in a temp dir (kept alive by the returned dir).
async fn database() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = store::connect(&crate::fixtures::fresh_database(dir.path()).await)
        .await
        .unwrap();
    (dir, db)
}

#[tokio::test]
async fn a_challenge_is_taken_once() {
    let (_dir, db) = database().await;
    let clock = ManualClock::new(T0);
    let id = put(&db, SESSION, Kind::Push, PAYLOAD, clock.now(), LIFETIME)
        .await
        .unwrap();
    let first = take(&db, &id, SESSION, Kind::Push, clock.now())
        .await
        .unwrap();
    assert_eq!(first.as_deref(), Some(PAYLOAD));
    assert_eq!(
        take(&db, &id, SESSION, Kind::Push, clock.now())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        take(&db, "no-such-challenge", SESSION, Kind::Push, clock.now())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn an_expired_challenge_is_gone() {
    let (_dir, db) = database().await;
    let clock = ManualClock::new(T0);
    let kind = Kind::WebauthnAuthentication;
    let early = put(&db, SESSION, kind, PAYLOAD, clock.now(), LIFETIME)
        .await
        .unwrap();
    let late = put(&db, SESSION, kind, PAYLOAD, clock.now(), LIFETIME)
        .await
        .unwrap();
    // the last second of its life
    clock.advance(LIFETIME - 1);
    let taken = take(&db, &early, SESSION, kind, clock.now()).await.unwrap();
    assert_eq!(taken.as_deref(), Some(PAYLOAD));
    // its end
    clock.advance(1);
    assert_eq!(
        take(&db, &late, SESSION, kind, clock.now()).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn another_sessions_or_kinds_take_gets_nothing_and_uses_nothing_up() {
    let (_dir, db) = database().await;
    let clock = ManualClock::new(T0);
    let kind = Kind::WebauthnRegistration;
    let id = put(&db, SESSION, kind, PAYLOAD, clock.now(), LIFETIME)
        .await
        .unwrap();
    assert_eq!(
        take(&db, &id, OTHER_SESSION, kind, clock.now())
            .await
            .unwrap(),
        None,
        "another session"
    );
    for other in [Kind::WebauthnAuthentication, Kind::Push] {
        assert_eq!(
            take(&db, &id, SESSION, other, clock.now()).await.unwrap(),
            None,
            "{other:?}"
        );
    }
    // The refused takes did not use it up: its own session still gets it.
    let taken = take(&db, &id, SESSION, kind, clock.now()).await.unwrap();
    assert_eq!(taken.as_deref(), Some(PAYLOAD));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_ten_parallel_takes_exactly_one_gets_the_challenge() {
    let (_dir, db) = database().await;
    let now = T0;
    let id = put(&db, SESSION, Kind::Push, PAYLOAD, now, LIFETIME)
        .await
        .unwrap();
    let takers: Vec<_> = (0..10)
        .map(|_| {
            let db = db.clone();
            let id = id.clone();
            tokio::spawn(async move { take(&db, &id, SESSION, Kind::Push, now).await })
        })
        .collect();
    let mut got = Vec::new();
    for t in takers {
        if let Some(payload) = t.await.unwrap().unwrap() {
            got.push(payload);
        }
    }
    assert_eq!(got, vec![PAYLOAD.to_string()]);
}
