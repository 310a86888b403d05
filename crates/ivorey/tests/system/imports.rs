//! `kill -9` of a server halfway through a CSV import, uploaded and started through the web
//! pages: at the kill the job's counters, its rows' outcomes and the stored contacts agree
//! (a batch is all there or not at all); after a restart on the same data the import resumes
//! where it stopped, once the dead process's lease has run out, and finishes with every row
//! accounted for exactly once: no row without an outcome, no contact written twice.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ivorey_core::LocationId;
use ivorey_core::contact::Contact;
use ivorey_core::ids::ImportId;
use ivorey_store::sql::{Sql, SqlBackend, work};
use ivorey_store::{ContactImport, ContactQuery, ImportStatus, Store, params};
use serde_json::{Value, json};

use crate::process::{Env, PASSWORD, Server};

/// Rows in the file: 40 batches of the worker's 500, so the kill lands between batches.
const ROWS: u64 = 20_000;

/// What a row of the file is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A new person.
    New,
    /// The email of an earlier new row (50 rows back: in the same batch or the one before).
    SameEmail(u64),
    /// Only the phone of an earlier new row (30 rows back).
    SamePhone(u64),
    /// An email that is not one: refused.
    Bad,
}

fn kind(n: u64) -> Kind {
    let plain =
        |m: u64| m > 0 && !m.is_multiple_of(1000) && !m.is_multiple_of(97) && !m.is_multiple_of(89);
    if n.is_multiple_of(1000) {
        Kind::Bad
    } else if n.is_multiple_of(97) && plain(n - 50) {
        Kind::SameEmail(n - 50)
    } else if n.is_multiple_of(89) && plain(n - 30) {
        Kind::SamePhone(n - 30)
    } else {
        Kind::New
    }
}

fn file() -> String {
    let mut csv = String::from("First name,Last name,Email,Phone\n");
    for n in 1..=ROWS {
        csv.push_str(&match kind(n) {
            Kind::New => format!("First{n},Last,person{n}@import.example,+1 555 {n:07}\n"),
            Kind::SameEmail(m) => format!("Again{n},Last,PERSON{m}@import.example,\n"),
            Kind::SamePhone(m) => format!("Phoned{n},Last,,+1 (555) {m:07}\n"),
            Kind::Bad => format!("Bad{n},Row,not-an-email,\n"),
        });
    }
    csv
}

/// (created, updated, refused) of the whole file.
fn expected() -> (u64, u64, u64) {
    let kinds: Vec<Kind> = (1..=ROWS).map(kind).collect();
    let count = |f: fn(&Kind) -> bool| kinds.iter().filter(|k| f(k)).count() as u64;
    (
        count(|k| *k == Kind::New),
        count(|k| matches!(k, Kind::SameEmail(_) | Kind::SamePhone(_))),
        count(|k| *k == Kind::Bad),
    )
}

/// A signed-in admin's session cookie and CSRF token.
async fn sign_in(http: &reqwest::Client, server: &Server, email: &str) -> (String, String) {
    let login = http
        .post(server.url("/manage/login"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let body: Value = login.json().await.expect("login body");
    (cookie, body["csrfToken"].as_str().expect("csrf").to_owned())
}

/// Uploads the file and starts it with the obvious mapping; the job's page path.
async fn upload_and_start(
    http: &reqwest::Client,
    server: &Server,
    location: &str,
    (cookie, csrf): &(String, String),
) -> String {
    let part = reqwest::multipart::Part::bytes(file().into_bytes())
        .file_name("people.csv")
        .mime_str("text/csv")
        .expect("mime");
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part("file", part);
    let uploaded = http
        .post(server.url(&format!("/l/{location}/contacts/import")))
        .header("cookie", cookie)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(uploaded.status(), 303, "{}", uploaded.text().await.unwrap());
    let page = uploaded.headers()["location"].to_str().unwrap().to_owned();
    let fields = [
        ("csrf", csrf.as_str()),
        ("action", "start"),
        ("col.0", "firstName"),
        ("col.1", "lastName"),
        ("col.2", "email"),
        ("col.3", "phone"),
    ];
    let started = http
        .post(server.url(&page))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(fields).expect("form"))
        .send()
        .await
        .expect("start");
    assert_eq!(started.status(), 303, "{}", started.text().await.unwrap());
    page
}

/// Rows done, as the progress page says it ("N of M rows done", thousands grouped).
async fn rows_done(http: &reqwest::Client, server: &Server, page: &str, cookie: &str) -> u64 {
    let body = http
        .get(server.url(page))
        .header("cookie", cookie)
        .send()
        .await
        .expect("progress page")
        .text()
        .await
        .expect("progress body");
    // The page groups thousands: "1,500 of 20,000 rows done".
    let total = format!(" of {},{:03} rows done", ROWS / 1000, ROWS % 1000);
    let (done, _) = body
        .split_once(&total)
        .unwrap_or_else(|| panic!("no progress in {body}"));
    let digits = done
        .rsplit(|c: char| !c.is_ascii_digit() && c != ',')
        .next()
        .unwrap();
    digits.replace(',', "").parse().expect("rows done")
}

/// The data folder's store, opened beside (or after) the server, as the CLI opens it.
async fn open(env: &Env) -> Arc<dyn SqlStore> {
    match env.database_url() {
        Some(url) => Arc::new(
            ivorey_store_postgres::PgStore::connect(url, None)
                .await
                .expect("connect"),
        ),
        None => Arc::new(
            ivorey_store_sqlite::SqliteStore::open(&env.dir.path().join("ivorey.db"))
                .expect("open"),
        ),
    }
}

/// A store whose import rows the test can read with its own statement.
trait SqlStore: Store {
    fn outcomes<'a>(&'a self, id: &'a ImportId) -> ivorey_store::sql::DbFuture<'a, Outcomes>;
}

/// Row outcomes as stored: how many of each, the last row with one, and the distinct
/// contacts that rows name.
#[derive(Debug, Default, PartialEq)]
struct Outcomes {
    created: u64,
    updated: u64,
    refused: u64,
    missing: u64,
    last_applied: u64,
    contacts: u64,
}

static OUTCOMES: Sql = Sql::new(
    "SELECT
         COALESCE(SUM(CASE WHEN outcome = 'created' THEN 1 ELSE 0 END), 0),
         COALESCE(SUM(CASE WHEN outcome = 'updated' THEN 1 ELSE 0 END), 0),
         COALESCE(SUM(CASE WHEN outcome = 'refused' THEN 1 ELSE 0 END), 0),
         COALESCE(SUM(CASE WHEN outcome IS NULL THEN 1 ELSE 0 END), 0),
         COALESCE(MAX(CASE WHEN outcome IS NOT NULL THEN row_number END), 0),
         COUNT(DISTINCT contact_id)
     FROM contact_import_rows WHERE import_id = $1",
);

impl<B: SqlBackend + Store> SqlStore for B {
    fn outcomes<'a>(&'a self, id: &'a ImportId) -> ivorey_store::sql::DbFuture<'a, Outcomes> {
        let id = id.clone();
        self.read(work(move |db| {
            Box::pin(async move {
                db.one(&OUTCOMES, params![&id], |r| {
                    let n = |i| r.int(i).map(|v| v as u64);
                    Ok(Outcomes {
                        created: n(0)?,
                        updated: n(1)?,
                        refused: n(2)?,
                        missing: n(3)?,
                        last_applied: n(4)?,
                        contacts: n(5)?,
                    })
                })
                .await
            })
        }))
    }
}

/// Every contact of the location, in pages along the keyset.
async fn all_contacts(store: &dyn Store, location: &LocationId) -> Vec<Contact> {
    let mut all: Vec<Contact> = Vec::new();
    loop {
        let query = ContactQuery {
            after: all.last().map(|c| (c.date_added, c.id.as_str().to_owned())),
            limit: 100,
            query: None,
        };
        let page = store.list_contacts(location, &query).await.expect("page");
        if page.contacts.is_empty() {
            return all;
        }
        all.extend(page.contacts);
    }
}

/// The job, its stored outcomes and contacts agree: every applied row has an outcome and
/// none after it does, the counters are the outcomes, and each created row is one contact.
async fn consistent(store: &dyn SqlStore, location: &LocationId, id: &ImportId) -> ContactImport {
    let job = store
        .get_import(location, id)
        .await
        .expect("get import")
        .expect("the import");
    let outcomes = store.outcomes(id).await.expect("outcomes");
    assert_eq!(
        outcomes,
        Outcomes {
            created: job.created,
            updated: job.updated,
            refused: job.refused,
            missing: ROWS - job.done_rows,
            last_applied: job.done_rows,
            contacts: job.created,
        },
        "{job:?}"
    );
    assert_eq!(job.created + job.updated + job.refused, job.done_rows);
    let contacts = all_contacts(store, location).await;
    assert_eq!(
        contacts.len() as u64,
        job.created,
        "one contact per created row"
    );
    let emails: HashSet<_> = contacts.iter().filter_map(|c| c.email_lower()).collect();
    assert_eq!(emails.len(), contacts.len(), "no email stored twice");
    job
}

async fn a_killed_import_resumes_and_accounts_for_every_row_once(env: Env) {
    let location = env.location("ops@import.example");
    let location_id = LocationId::parse(&location).expect("location id");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let server = env.serve("").await;
    let session = sign_in(&http, &server, "ops@import.example").await;
    let page = upload_and_start(&http, &server, &location, &session).await;
    let id = ImportId::parse(page.rsplit('/').next().unwrap()).expect("import id");

    // Killed without warning once a few batches are in and most are not.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done = rows_done(&http, &server, &page, &session.0).await;
        assert!(
            done < ROWS / 2,
            "the import got to {done} before it was killed"
        );
        if done >= 1_000 {
            break;
        }
        assert!(Instant::now() < deadline, "the import did not start");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.signal("KILL");
    drop(server);

    let store = open(&env).await;
    let at_kill = consistent(store.as_ref(), &location_id, &id).await;
    assert!(
        at_kill.done_rows > 0 && at_kill.done_rows < ROWS,
        "{at_kill:?}"
    );
    assert_eq!(at_kill.status, ImportStatus::Queued);
    drop(store);

    // The new process takes the job over when the dead one's lease (a minute) has run out.
    let restarted = env.serve("").await;
    let session = sign_in(&http, &restarted, "ops@import.example").await;
    let deadline = Instant::now() + Duration::from_secs(240);
    while rows_done(&http, &restarted, &page, &session.0).await < ROWS {
        assert!(
            Instant::now() < deadline,
            "the import did not resume ({} backend)",
            env.backend()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let store = open(&env).await;
    let job = consistent(store.as_ref(), &location_id, &id).await;
    assert_eq!(job.status, ImportStatus::Done);
    assert_eq!((job.created, job.updated, job.refused), expected());
    let refused = store
        .refused_import_rows(&location_id, &id, 0, 100)
        .await
        .expect("refused rows");
    let numbers: Vec<u64> = refused.iter().map(|r| r.number).collect();
    let bad: Vec<u64> = (1..=ROWS).filter(|n| kind(*n) == Kind::Bad).collect();
    assert_eq!(numbers, bad);
    drop(restarted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_import_killed_halfway_resumes_and_counts_every_row_once() {
    a_killed_import_resumes_and_accounts_for_every_row_once(Env::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_import_killed_halfway_resumes_and_counts_every_row_once() {
    match Env::postgres().await {
        Some(env) => a_killed_import_resumes_and_accounts_for_every_row_once(env).await,
        None => eprintln!("skipped: IVOREY_TEST_DATABASE_URL is not set"),
    }
}
