//! Two instances on one PostgreSQL database, as behind a load balancer:
//! the browser waits on instance A while `protect` answers through
//! instance B, and A's long-poll is woken by B's answer (the notifier).

use std::time::{Duration, Instant};

use portcullis_api::protect::PushStatus;
use portcullis_api::LoginResponse;

use crate::cli::Phone;
use crate::portal::Browser;
use crate::server::{free_port, fresh_postgres_database, postgres_server, Server};

#[test]
#[ignore = "needs PostgreSQL: PORTCULLIS_TEST_POSTGRES (scripts/pg-cluster)"]
fn the_browser_waits_on_one_instance_while_protect_answers_another() {
    let pg = postgres_server().expect("PORTCULLIS_TEST_POSTGRES must name a PostgreSQL server");
    let db = fresh_postgres_database(&pg);
    let b_port = free_port();
    // Both name B as the public URL: the enrollment link sends the device
    // there, while the browser keeps talking to A.
    let args = [
        "--database".to_string(),
        db,
        "--public-url".to_string(),
        format!("http://localhost:{b_port}"),
    ];
    let b = Server::launch(b_port, &args);
    let a = Server::launch(free_port(), &args);

    let browser = Browser::new(&a);
    assert!(matches!(
        browser.login("alice@example.com"),
        LoginResponse::Done { .. }
    ));
    let link = browser.enrollment_link();
    assert!(link.contains(&format!("localhost%3A{b_port}")), "{link}");
    let phone = Phone::new();
    let run = phone.run(&["enroll", &link]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains(&b.base), "{run:?}");

    let login = Browser::new(&a);
    assert!(matches!(
        login.login("alice@example.com"),
        LoginResponse::Mfa { .. }
    ));
    let push = login.start_push();
    let number = push.number.to_string();
    // Answer from another thread a moment after A's long-poll began.
    let answer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        phone.run(&["approve", "--number", &number])
    });
    let started = Instant::now();
    let waited = login.wait(&push.id, 20);
    let took = started.elapsed();
    let run = answer.join().unwrap();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(waited.status, PushStatus::Approved, "{waited:?}");
    // Woken by the answer, not by the end of the 20 s wait.
    assert!(took < Duration::from_secs(10), "{took:?}");
}
