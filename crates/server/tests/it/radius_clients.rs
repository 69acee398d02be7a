//! RADIUS clients, as administrators register them: a secret made by the
//! server when none is given (shown once), never listed; addresses and
//! secrets checked in words; removal. The RADIUS exchange itself runs
//! against FreeRADIUS's radclient in crates/protect/tests/it/radius_login.rs.

use portcullis_api::radius::{RadiusClient, RadiusClientInput};

use crate::client::Answer;
use crate::fixtures::TestServer;

fn input(name: &str, address: &str, secret: Option<&str>) -> RadiusClientInput {
    RadiusClientInput {
        name: name.into(),
        address: address.into(),
        secret: secret.map(str::to_string),
        everyone: true,
        groups: vec![],
        users: vec![],
    }
}

#[tokio::test]
async fn clients_are_registered_checked_and_removed() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    const PATH: &str = "/api/v1/admin/radius-clients";

    // No secret given: the server makes one, shown once.
    let made: Answer<RadiusClient> = admin.post(PATH, &input("VPN", "10.0.0.0/24", None)).await;
    assert_eq!(made.status, 201);
    let made = made.ok();
    let secret = made.secret.clone().expect("a secret made by the server");
    assert_eq!(secret.len(), 32);
    let list: Vec<RadiusClient> = admin.get(PATH).await.ok();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].secret, None);
    assert_eq!(list[0].address, "10.0.0.0/24");

    // Given: kept, never shown.
    let given: RadiusClient = admin
        .post(
            PATH,
            &input("Switch", "192.0.2.7", Some("a-shared-secret-of-20")),
        )
        .await
        .ok();
    assert_eq!(given.secret, None);

    for (bad, words) in [
        (input("A", "10.0.0.300", None), "not an address"),
        (input("B", "10.0.0.0/33", None), "not an address"),
        (input("C", "10.0.0.1", Some("short")), "16 to 128"),
        (
            input("D", "10.0.0.1", Some("has spaces in it, sixteen+")),
            "16 to 128",
        ),
        (input("vpn", "10.0.0.1", None), "exists already"),
    ] {
        let answer: Answer<RadiusClient> = admin.post(PATH, &bad).await;
        assert!(matches!(answer.status, 409 | 422), "{}", answer.status);
        assert!(answer.err().message.contains(words), "{words}");
    }

    // A change without a secret keeps the old one; removal.
    let put = admin
        .http
        .put(admin.url(&format!("{PATH}/{}", made.id)))
        .json(&input("VPN", "10.0.1.0/24", None))
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 200);
    let gone = admin
        .http
        .delete(admin.url(&format!("{PATH}/{}", made.id)))
        .send()
        .await
        .expect("delete");
    assert_eq!(gone.status(), 204);
    let list: Vec<RadiusClient> = admin.get(PATH).await.ok();
    assert_eq!(list.len(), 1);
}
