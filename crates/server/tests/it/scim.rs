//! Directory sync (SCIM 2.0) as an identity provider drives it: a token
//! made by an administrator (shown once, revocable); users created (and
//! invited), found by userName (also those made in Portcullis), patched
//! as Okta and Entra send it (`active: false` suspends and signs out),
//! replaced, deleted; groups with members; errors in SCIM's schema. The
//! independent checker (scim2-tester) runs in `scripts/scim-check`.

use portcullis_api::{NewScimToken, ScimToken};
use serde_json::{json, Value};

use crate::client::Api;
use crate::fixtures::TestServer;

const MEDIA: &str = "application/scim+json";

struct Directory {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Directory {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.header("content-type", MEDIA).body(b.to_string());
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        if status != 204 {
            let media = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            assert_eq!(media, MEDIA, "{path}");
        }
        let text = r.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, ops: Value) -> (u16, Value) {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": ops,
        });
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }
}

async fn directory(s: &TestServer, admin: &Api) -> (Directory, ScimToken) {
    directory_inviting(s, admin, true).await
}

async fn directory_inviting(s: &TestServer, admin: &Api, invite: bool) -> (Directory, ScimToken) {
    let made: ScimToken = admin
        .post(
            "/api/v1/admin/scim-tokens",
            &NewScimToken {
                name: "Okta".into(),
                invite,
            },
        )
        .await
        .ok();
    let token = made.token.clone().expect("the secret, this once");
    let d = Directory {
        http: reqwest::Client::new(),
        base: s.url("/scim/v2"),
        token,
    };
    (d, made)
}

fn user(name: &str, email: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "externalId": format!("okta-{name}"),
        "name": {"givenName": name, "familyName": "Sync"},
        "emails": [{"value": email, "type": "work", "primary": true}],
        "active": true,
    })
}

#[tokio::test]
async fn a_directory_provisions_suspends_and_deletes_people() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let (dir, made) = directory(&s, &admin).await;
    // Listed without the secret afterwards.
    let listed: Vec<ScimToken> = admin.get("/api/v1/admin/scim-tokens").await.ok();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].id.as_str(), listed[0].token.as_deref()),
        (made.id.as_str(), None)
    );

    // Create: 201 with Location; the person is invited by email.
    let (status, zoe) = dir.post("/Users", user("Zoe", "Zoe@Example.com")).await;
    assert_eq!(status, 201, "{zoe}");
    let id = zoe["id"].as_str().unwrap().to_string();
    assert_eq!(zoe["userName"], json!("Zoe@Example.com"), "kept as sent");
    assert_eq!(
        zoe["meta"]["location"],
        json!(s.url(&format!("/scim/v2/Users/{id}")))
    );
    let page = admin.admin_users("?search=zoe@").await.ok().users;
    assert_eq!(
        (
            page[0].display_name.as_str(),
            page[0].email.as_str(),
            page[0].invited
        ),
        ("Zoe Sync", "zoe@example.com", true)
    );
    let invited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'invitation' AND user_id = $1",
    )
    .bind(&id)
    .fetch_one(&s.state.db)
    .await
    .unwrap();
    assert_eq!(invited, 1);

    // The same userName or email again, whatever its case: 409 uniqueness.
    let (status, err) = dir.post("/Users", user("Zed", "zoe@example.com")).await;
    assert_eq!(
        (status, err["scimType"].clone()),
        (409, json!("uniqueness"))
    );
    assert_eq!(
        err["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
    );

    // Found by userName, also a user made in Portcullis (by their email).
    let (_, found) = dir
        .get("/Users?filter=userName%20eq%20%22ALICE%40example.com%22")
        .await;
    assert_eq!(found["totalResults"], json!(1));
    assert_eq!(
        found["Resources"][0]["emails"][0]["value"],
        json!("alice@example.com")
    );
    let (_, by_ext) = dir
        .get("/Users?filter=externalId%20eq%20%22okta-Zoe%22")
        .await;
    assert_eq!(by_ext["Resources"][0]["id"], json!(id));
    let (status, bad) = dir.get("/Users?filter=nickName%20co%20%22x%22").await;
    assert_eq!(
        (status, bad["scimType"].clone()),
        (400, json!("invalidFilter"))
    );

    // Okta's deactivation: suspended, signed out; then back.
    s.enrolled("alice@example.com").await;
    let (alice_api, _) = s.password_login("alice@example.com").await;
    let alice_id = found["Resources"][0]["id"].as_str().unwrap().to_string();
    let (status, off) = dir
        .patch(
            &format!("/Users/{alice_id}"),
            json!([{"op": "replace", "value": {"active": false}}]),
        )
        .await;
    assert_eq!((status, off["active"].clone()), (200, json!(false)));
    assert_eq!(alice_api.me().await.status, 401);
    let alice = admin.admin_users("?search=alice@").await.ok().users;
    assert!(alice[0].suspended);
    // A replacement that does not say `active` changes nothing about it.
    let mut again = off.clone();
    again.as_object_mut().unwrap().remove("active");
    let (status, still) = dir
        .send(
            reqwest::Method::PUT,
            &format!("/Users/{alice_id}"),
            Some(again),
        )
        .await;
    assert_eq!(
        (status, still["active"].clone()),
        (200, json!(false)),
        "{still}"
    );
    // Entra's form: a string, and the name changed by a filtered path.
    let (status, on) = dir
        .patch(
            &format!("/Users/{alice_id}"),
            json!([
                {"op": "Replace", "path": "active", "value": "True"},
                {"op": "Replace", "path": "displayName", "value": "Alice Anders-Berg"},
            ]),
        )
        .await;
    assert_eq!((status, on["active"].clone()), (200, json!(true)), "{on}");
    let alice = admin.admin_users("?search=alice@").await.ok().users;
    assert_eq!(
        (alice[0].suspended, alice[0].display_name.as_str()),
        (false, "Alice Anders-Berg")
    );

    // Bad input: in words, in SCIM's schema.
    let (status, err) = dir.post("/Users", json!({"userName": "no-email"})).await;
    assert_eq!(
        (status, err["scimType"].clone()),
        (400, json!("invalidValue"))
    );
    let (status, err) = dir
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "add", "path": "shoeSize", "value": 4}]),
        )
        .await;
    assert_eq!(
        (status, err["scimType"].clone()),
        (400, json!("invalidPath"))
    );
    let (status, err) = dir.get("/Users/no-such-id").await;
    assert_eq!((status, err["status"].clone()), (404, json!("404")));

    // Administrators stay in Portcullis's hands: not deleted, suspended
    // or given another email by a directory.
    let (_, owner) = dir
        .get("/Users?filter=userName%20eq%20%22admin%40example.com%22")
        .await;
    let owner_id = owner["Resources"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = dir
        .send(reqwest::Method::DELETE, &format!("/Users/{owner_id}"), None)
        .await;
    assert_eq!(status, 403);
    let (_, grace) = dir
        .get("/Users?filter=userName%20eq%20%22grace%40example.com%22")
        .await;
    let grace_id = grace["Resources"][0]["id"].as_str().unwrap().to_string();
    for ops in [
        json!([{"op": "replace", "path": "active", "value": false}]),
        json!([{"op": "replace", "path": "emails", "value": [{"value": "mine@evil.example", "primary": true}]}]),
    ] {
        let (status, err) = dir.patch(&format!("/Users/{grace_id}"), ops).await;
        assert_eq!(status, 403, "{err}");
    }

    // Delete: 204, then 404; their events keep a tombstone.
    let (status, _) = dir
        .send(reqwest::Method::DELETE, &format!("/Users/{id}"), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(dir.get(&format!("/Users/{id}")).await.0, 404);

    // A revoked token is refused.
    let url = format!("/api/v1/admin/scim-tokens/{}", made.id);
    let r = admin.http.delete(admin.url(&url)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(dir.get("/Users").await.0, 401);
}

#[tokio::test]
async fn groups_and_their_members() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let (dir, _) = directory(&s, &admin).await;
    let (_, a) = dir.post("/Users", user("Ann", "ann@example.com")).await;
    let (_, b) = dir.post("/Users", user("Bo", "bo@example.com")).await;
    let (status, g) = dir
        .post(
            "/Groups",
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Engineering",
                "members": [{"value": a["id"], "type": "User"}],
            }),
        )
        .await;
    assert_eq!(status, 201, "{g}");
    let gid = g["id"].as_str().unwrap().to_string();
    // Entra adds and removes members by PATCH.
    let (status, g2) = dir
        .patch(
            &format!("/Groups/{gid}"),
            json!([
                {"op": "Add", "path": "members", "value": [{"value": b["id"]}]},
                {"op": "Remove", "path": format!("members[value eq \"{}\"]", a["id"].as_str().unwrap())},
            ]),
        )
        .await;
    assert_eq!(status, 200, "{g2}");
    assert_eq!(g2["members"], json!([{"value": b["id"]}]));
    // Portcullis sees the same members (the users list's group filter).
    let members = admin.admin_users(&format!("?group={gid}")).await.ok().users;
    let emails: Vec<&str> = members.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(emails, vec!["bo@example.com"]);
    // A member who is no user, a nested group, a taken name: refused.
    let (status, _) = dir
        .patch(
            &format!("/Groups/{gid}"),
            json!([{"op": "add", "path": "members", "value": [{"value": "nobody"}]}]),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = dir
        .post("/Groups", json!({"displayName": "engineering"}))
        .await;
    assert_eq!(status, 409);
    let (_, by_name) = dir
        .get("/Groups?filter=displayName%20eq%20%22ENGINEERING%22")
        .await;
    assert_eq!(by_name["totalResults"], json!(1));
    let (status, _) = dir
        .send(reqwest::Method::DELETE, &format!("/Groups/{gid}"), None)
        .await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn a_directory_set_not_to_invite_adds_people_who_wait_for_their_invitation() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let (dir, made) = directory_inviting(&s, &admin, false).await;
    assert!(!made.invite);
    let (status, quiet) = dir.post("/Users", user("Quinn", "quinn@example.com")).await;
    assert_eq!(status, 201);
    let id = quiet["id"].as_str().unwrap().to_string();
    let emails: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE user_id = $1")
        .bind(&id)
        .fetch_one(&s.state.db)
        .await
        .unwrap();
    assert_eq!(emails, 0, "no invitation yet");
    let listed = admin.admin_users("?account=invited").await.ok().users;
    assert!(listed.iter().any(|u| u.id == id));
    // The administrator sends it when the time comes.
    let sent: portcullis_api::AdminUser = admin
        .post_empty(&format!("/api/v1/admin/users/{id}/invitation"))
        .await
        .ok();
    assert!(sent.invited);
}

#[tokio::test]
async fn without_a_token_nothing_answers_but_401() {
    let s = TestServer::start().await;
    for path in [
        "/scim/v2/Users",
        "/scim/v2/ServiceProviderConfig",
        "/scim/v2/nope",
    ] {
        let r = reqwest::Client::new()
            .get(s.url(path))
            .bearer_auth("pcscim_not-a-token")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "{path}");
        assert!(r.headers().contains_key("www-authenticate"));
    }
    // Tokens need an administrator with a fresh second factor.
    let (alice, _) = s.password_login("alice@example.com").await;
    let made = alice
        .post::<ScimToken>(
            "/api/v1/admin/scim-tokens",
            &NewScimToken {
                name: "x".into(),
                invite: true,
            },
        )
        .await;
    assert_eq!(made.status, 403);
}

#[tokio::test]
async fn a_token_is_stored_only_as_a_hash_and_shown_once() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let (d, made) = directory(&s, &admin).await;
    // It works…
    assert_eq!(d.get("/Users").await.0, 200);
    // …and what the database keeps is neither the token nor holds it, nor
    // its secret part.
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT token_hash FROM scim_tokens WHERE id = $1")
            .bind(&made.id)
            .fetch_all(&s.state.db)
            .await
            .unwrap();
    assert_eq!(stored.len(), 1);
    let stored = &stored[0];
    let secret = d.token.strip_prefix("pcscim_").expect("the token's prefix");
    assert!(secret.len() >= 32, "{}", d.token);
    assert_ne!(stored, &d.token);
    assert!(!stored.contains(&d.token));
    assert!(!stored.contains(secret));
    assert!(!d.token.contains(stored.as_str()));
    // No other column of the row holds it either.
    let row: Vec<Option<String>> = sqlx::query_as::<_, (String, String, String, Option<String>)>(
        "SELECT id, name, token_hash, created_by FROM scim_tokens",
    )
    .fetch_all(&s.state.db)
    .await
    .unwrap()
    .into_iter()
    .flat_map(|(a, b, c, e)| [Some(a), Some(b), Some(c), e])
    .collect();
    assert!(row.iter().flatten().all(|v| !v.contains(secret)));
    // The list never shows it again.
    let listed: Vec<ScimToken> = admin.get("/api/v1/admin/scim-tokens").await.ok();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].token, None);
}
