//! Contacts CSV import and export over plain HTTP (no browser), on both backends: a 1,000-row
//! file with 10 bad rows (each refused with its reason, downloadable), duplicates in the file
//! and against stored contacts upserted; every bad file refused with nothing stored; another
//! business's import is "not found"; a form without its CSRF token changes nothing; an export
//! imports back as it was; an import interrupted after one batch resumes on another worker and
//! accounts for every row exactly once.

use std::time::{Duration, Instant};

use ivorey_app::imports::{ImportConfig, apply_next_batch};
use ivorey_core::contact_search::{ContactSearch, SortField};
use ivorey_core::custom_field::CustomField;
use ivorey_core::ids::{CustomFieldId, ImportId};
use ivorey_core::{Clock, LocationId};
use ivorey_http::HttpConfig;
use ivorey_store::{ContactImport, ImportStatus};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser_support::{get_page, no_redirects, post_form};
use crate::common::{Admin, TestApp};

on_both_backends!(
    a_thousand_rows_with_ten_bad_ones_import_with_each_refusal_reported,
    bad_files_are_refused_with_a_reason_and_nothing_is_stored,
    another_business_import_is_not_found_on_every_route,
    an_import_without_its_csrf_token_changes_nothing,
    an_export_of_the_search_imports_back_as_it_was,
);

mod interrupted {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        an_import_interrupted_after_one_batch_resumes_and_counts_every_row_once(
            TestApp::sqlite().await,
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let Some(url) = crate::common::database_url() else {
            eprintln!("skipped: IVOREY_TEST_DATABASE_URL is not set");
            return;
        };
        let store = crate::common::pg_store(&url).await;
        let app = TestApp::start_with(std::sync::Arc::new(store), small_batches()).await;
        an_import_interrupted_after_one_batch_resumes_and_counts_every_row_once(app).await;
    }
}

/// Batches of 100 and a worker that looks for work only when woken (or after a minute).
fn small_batches() -> HttpConfig {
    HttpConfig {
        imports: ImportConfig {
            batch_rows: 100,
            lease: Duration::from_secs(30),
            poll_interval: Duration::from_secs(60),
        },
        ..HttpConfig::default()
    }
}

fn contacts(admin: &Admin, rest: &str) -> String {
    format!("/l/{}/contacts{rest}", admin.location)
}

fn location_of(admin: &Admin) -> LocationId {
    LocationId::parse(&admin.location).expect("location id")
}

/// Posts `bytes` as the import form's file (with the session's CSRF token unless `csrf` is
/// false); the status, the `Location` header and the body.
async fn upload(
    app: &TestApp,
    admin: &Admin,
    bytes: Vec<u8>,
    csrf: bool,
) -> (StatusCode, String, String) {
    let mut form = reqwest::multipart::Form::new();
    if csrf {
        form = form.text("csrf", admin.session.csrf.clone());
    }
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name("people.csv")
        .mime_str("text/csv")
        .expect("mime");
    form = form.part("file", part);
    let response = no_redirects()
        .post(app.url(&contacts(admin, "/import")))
        .header("cookie", &admin.session.cookie)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = response.status();
    let to = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, to, response.text().await.expect("body"))
}

/// Uploads a file that must be accepted; the import's page.
async fn uploaded(app: &TestApp, admin: &Admin, csv: &str) -> String {
    let (status, to, body) = upload(app, admin, csv.as_bytes().to_vec(), true).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(to.starts_with(&contacts(admin, "/import/")), "{to}");
    to
}

fn job_id(page: &str) -> ImportId {
    ImportId::parse(page.rsplit('/').next().expect("id")).expect("import id")
}

/// Waits until the worker has applied every row.
async fn finished(app: &TestApp, admin: &Admin, page: &str) -> ContactImport {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let job = app
            .store
            .get_import(&location_of(admin), &job_id(page))
            .await
            .expect("get import")
            .expect("the import");
        if job.status == ImportStatus::Done {
            return job;
        }
        assert!(Instant::now() < deadline, "import not finished: {job:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every contact of the business (at most 10,000).
async fn all_contacts(app: &TestApp, admin: &Admin) -> Vec<ivorey_core::contact::Contact> {
    let search = ContactSearch {
        filters: Vec::new(),
        query: None,
        sort: SortField::DateAdded,
        descending: false,
        after: None,
        offset: 0,
        limit: 10_000,
    };
    let found = app
        .store
        .search_contacts(&location_of(admin), &search)
        .await;
    found.expect("search").contacts
}

async fn favourite_colour(app: &TestApp, admin: &Admin) -> CustomFieldId {
    let field = CustomField {
        id: CustomFieldId::generate(),
        location_id: location_of(admin),
        model: "contact".into(),
        name: "Favourite colour".into(),
        field_key: "contact.favourite_colour".into(),
        data_type: "TEXT".into(),
        placeholder: None,
        options: Vec::new(),
        position: 0,
        date_added: app.clock.now(),
    };
    app.store
        .insert_custom_field(&field)
        .await
        .expect("custom field");
    field.id
}

/// 1,000 rows: rows 100, 200, ... 1,000 are bad (five without name, email or phone, five with
/// an email that is not one); rows 481-490 repeat
/// the emails of rows 1-10 (in the same batch).
fn thousand_rows() -> String {
    let mut csv = String::from("First Name,Last Name,E-mail,Phone,Tags,Favourite colour\n");
    for n in 1..=1000 {
        let line = if n % 200 == 0 {
            ",,,,lead,red\n".to_owned()
        } else if n % 100 == 0 {
            format!("Bad{n},Row,not-an-email,,lead,red\n")
        } else if (481..=490).contains(&n) {
            let of = n - 480;
            format!("Again{of},Person,person{of}@example.com,,\"lead, repeat\",blue\n")
        } else {
            format!("First{n},Person,person{n}@example.com,+1 555 01{n:04},lead,green\n")
        };
        csv.push_str(&line);
    }
    csv
}

/// Starts the import with the posted mapping, as the mapping page's "Start import" does.
async fn start(app: &TestApp, admin: &Admin, page: &str, mapping: &[(&str, &str)]) {
    let mut fields = vec![("csrf", admin.session.csrf.as_str()), ("action", "start")];
    fields.extend_from_slice(mapping);
    let (status, headers, body) = post_form(app, &admin.session.cookie, page, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers["location"].to_str().unwrap(), page);
}

async fn a_thousand_rows_with_ten_bad_ones_import_with_each_refusal_reported(app: TestApp) {
    let admin = app.new_admin("Import Co").await;
    let cookie = admin.session.cookie.clone();
    let colour = favourite_colour(&app, &admin).await;
    // A stored contact with row 20's email: the import updates it.
    let (_, token) = app.integration(&admin, &["contacts.write"]).await;
    let (status, body) = app
        .api(
            &token,
            Method::POST,
            "/contacts/",
            Some(json!({ "locationId": admin.location, "firstName": "Stored",
                "email": "PERSON20@example.com" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let stored_id = body["contact"]["id"].as_str().unwrap().to_owned();

    let (status, _, list) = get_page(&app, &cookie, &contacts(&admin, "?q=stored")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&contacts(&admin, "/import")), "Import button");
    assert!(
        list.contains(&contacts(&admin, "/export.csv?sort=newest&amp;q=stored")),
        "{list}"
    );

    let page = uploaded(&app, &admin, &thousand_rows()).await;
    // The mapping page guesses from the header and previews the first rows.
    let (status, _, mapping) = get_page(&app, &cookie, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(mapping.contains("1,000 rows"), "{mapping}");
    assert!(
        mapping.contains(r#"<option value="email" selected>"#),
        "{mapping}"
    );
    assert!(mapping.contains(&format!(r#"<option value="cf.{colour}" selected>"#)));
    assert!(
        mapping.contains("<label for=\"col-2\">E-mail</label>"),
        "labelled select"
    );
    assert!(
        mapping.contains("First5") && mapping.contains("Will be imported"),
        "{mapping}"
    );
    // A mapping that names one field twice is shown again with the problem; nothing starts.
    let twice = [
        ("csrf", admin.session.csrf.as_str()),
        ("action", "start"),
        ("col.0", "firstName"),
        ("col.1", "firstName"),
    ];
    let (status, _, body) = post_form(&app, &cookie, &page, &twice).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("First name is chosen for two columns"),
        "{body}"
    );
    let cf = format!("cf.{colour}");
    start(
        &app,
        &admin,
        &page,
        &[
            ("col.0", "firstName"),
            ("col.1", "lastName"),
            ("col.2", "email"),
            ("col.3", "phone"),
            ("col.4", "tags"),
            ("col.5", &cf),
        ],
    )
    .await;
    let job = finished(&app, &admin, &page).await;
    // 990 good rows: 10 repeat earlier rows and one matches the stored contact.
    assert_eq!((job.created, job.updated, job.refused), (979, 11, 10));
    assert_eq!(job.done_rows, 1000);
    let all = all_contacts(&app, &admin).await;
    assert_eq!(all.len(), 980);
    let stored = all
        .iter()
        .find(|c| c.id.as_str() == stored_id)
        .expect("stored");
    assert_eq!(stored.fields.first_name.as_deref(), Some("First20"));
    let again = all
        .iter()
        .find(|c| c.fields.email.as_deref() == Some("person3@example.com"))
        .expect("row 3");
    assert_eq!(again.fields.first_name.as_deref(), Some("Again3"));
    assert_eq!(again.fields.tags, ["lead", "repeat"]);
    assert_eq!(again.fields.custom_fields[0].value, json!("blue"));
    let by = again.updated_by.as_ref().expect("attributed");
    assert!(
        matches!(by, ivorey_core::changed_by::ChangedBy::User(_)),
        "{by:?}"
    );

    let (status, headers, progress) = get_page(&app, &cookie, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers.get("refresh").is_none(),
        "a finished import stops refreshing"
    );
    assert!(progress.contains("1,000 of 1,000 rows done"), "{progress}");
    assert!(
        progress.contains(r#"<dd id="count-refused">10</dd>"#),
        "{progress}"
    );
    assert!(progress.contains("A contact needs a name, an email or a phone."));
    assert!(
        progress.contains("Email: must be an email address"),
        "{progress}"
    );
    // Each refused row shows what it held, so the owner can find it in the file.
    assert!(
        progress.contains("Bad100, Row, not-an-email, lead, red"),
        "{progress}"
    );
    let (status, headers, refused) = get_page(&app, &cookie, &format!("{page}/refused.csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let mut reader = csv::Reader::from_reader(refused.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 10);
    let numbers: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(
        numbers,
        [
            "100", "200", "300", "400", "500", "600", "700", "800", "900", "1000"
        ]
    );
    assert_eq!(&rows[0][4], "not-an-email");
}

async fn bad_files_are_refused_with_a_reason_and_nothing_is_stored(app: TestApp) {
    let admin = app.new_admin("Bad Files Co").await;
    let wide = (0..=200)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let mut many = String::from("Email\n");
    for i in 0..=200_000 {
        many.push_str(&format!("p{i}@x.io\n"));
    }
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"First name\nAda\nJos\xE9\n".to_vec(), "line 3"),
        (Vec::new(), "Choose a CSV file"),
        (b"\n\n".to_vec(), "empty"),
        (
            b"ada@example.com,Ada\nbob@example.com,Bob\n".to_vec(),
            "looks like a contact",
        ),
        (wide.into_bytes(), "201 columns"),
        (b"Email,email\na@x.io,b\n".to_vec(), "Two columns are named"),
        (b"Name,,Email\nA,,a@x.io\n".to_vec(), "Column 2 has no name"),
        (many.into_bytes(), "more than 200000 rows"),
    ];
    for (bytes, reason) in cases {
        let (status, to, body) = upload(&app, &admin, bytes, true).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reason}: {body}");
        assert!(to.is_empty());
        assert!(body.contains(reason), "{reason}: {body}");
        assert!(body.contains("The file was not imported"), "{body}");
    }
    // 21 MB: refused at the route's own limit (the client may see the connection close early).
    let form = reqwest::multipart::Form::new()
        .text("csrf", admin.session.csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![b'a'; 21 * 1024 * 1024]),
        );
    let sent = no_redirects()
        .post(app.url(&contacts(&admin, "/import")))
        .header("cookie", &admin.session.cookie)
        .multipart(form)
        .send()
        .await;
    if let Ok(response) = sent {
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(response.text().await.unwrap().contains("larger than 20 MB"));
    }
    let stored = app.store.list_imports(&location_of(&admin), 10).await;
    assert!(stored.unwrap().is_empty(), "nothing stored");
    assert!(all_contacts(&app, &admin).await.is_empty());
}

async fn another_business_import_is_not_found_on_every_route(app: TestApp) {
    let owner = app.new_admin("Owner Co").await;
    let other = app.new_admin("Other Co").await;
    let page = uploaded(&app, &owner, "Email\na@example.com\n").await;
    let id = job_id(&page);
    let missing = ImportId::generate();
    for job in [id.to_string(), missing.to_string(), "not-an-id".into()] {
        let theirs = contacts(&other, &format!("/import/{job}"));
        let (status, _, body) = get_page(&app, &other.session.cookie, &theirs).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{job}");
        assert!(body.contains("Import not found"), "{body}");
        let (status, _, _) = get_page(
            &app,
            &other.session.cookie,
            &format!("{theirs}/refused.csv"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let start = [
            ("csrf", other.session.csrf.as_str()),
            ("action", "start"),
            ("col.0", "email"),
        ];
        let (status, _, _) = post_form(&app, &other.session.cookie, &theirs, &start).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // The owner's business in the URL, as the other admin: not a member, not found.
    let (status, _, _) = get_page(&app, &other.session.cookie, &page).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get_page(
        &app,
        &other.session.cookie,
        &contacts(&owner, "/export.csv"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let job = app
        .store
        .get_import(&location_of(&owner), &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.status, ImportStatus::Mapping, "never started");
}

async fn an_import_without_its_csrf_token_changes_nothing(app: TestApp) {
    let admin = app.new_admin("Csrf Co").await;
    let (status, _, body) = upload(&app, &admin, b"Email\na@example.com\n".to_vec(), false).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let stored = app
        .store
        .list_imports(&location_of(&admin), 10)
        .await
        .unwrap();
    assert!(stored.is_empty());
    let page = uploaded(&app, &admin, "Email\na@example.com\n").await;
    let forged = [("action", "start"), ("col.0", "email")];
    let (status, _, _) = post_form(&app, &admin.session.cookie, &page, &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let job = app
        .store
        .get_import(&location_of(&admin), &job_id(&page))
        .await
        .unwrap();
    assert_eq!(job.unwrap().status, ImportStatus::Mapping);
    assert!(all_contacts(&app, &admin).await.is_empty());
}

async fn an_export_of_the_search_imports_back_as_it_was(app: TestApp) {
    let from = app.new_admin("Export Co").await;
    let into = app.new_admin("Import Again Co").await;
    favourite_colour(&app, &from).await;
    let colour = favourite_colour(&app, &into).await;
    let csv = "First name,Last name,Email,Phone,Tags,Favourite colour,Company\n\
               Ada,Lovelace,ada@example.com,+44 20 7946 0001,\"vip, lead\",green,=HYPERLINK(1)\n\
               Bob,Babbage,bob@example.com,,lead,,Engines\n\
               Cy,,,+1 555 0100,vip,red,\n";
    let page = uploaded(&app, &from, csv).await;
    let (_, _, mapping) = get_page(&app, &from.session.cookie, &page).await;
    assert!(
        mapping.contains(r#"<option value="companyName" selected>"#),
        "{mapping}"
    );
    let guessed = [
        ("col.0", "firstName"),
        ("col.1", "lastName"),
        ("col.2", "email"),
        ("col.3", "phone"),
        ("col.4", "tags"),
        ("col.6", "companyName"),
    ];
    let mut with_colour = guessed.to_vec();
    let cf_from = {
        let defined = app
            .store
            .list_custom_fields(&location_of(&from), Some("contact"))
            .await;
        format!("cf.{}", defined.unwrap()[0].id)
    };
    with_colour.push(("col.5", &cf_from));
    start(&app, &from, &page, &with_colour).await;
    assert_eq!(finished(&app, &from, &page).await.created, 3);

    // The export follows the list's search: the tag filter keeps Ada and Cy.
    let (status, headers, tagged) = get_page(
        &app,
        &from.session.cookie,
        &contacts(&from, "/export.csv?tag=vip&sort=first"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let mut reader = csv::Reader::from_reader(tagged.as_bytes());
    let names: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
    assert_eq!(names, ["Ada", "Cy"]);
    // Formulas are written as text; the import takes the guard off again.
    assert!(
        tagged.contains("'=HYPERLINK(1)") && tagged.contains("'+44 20 7946 0001"),
        "{tagged}"
    );

    let (_, _, everything) =
        get_page(&app, &from.session.cookie, &contacts(&from, "/export.csv")).await;
    let again = uploaded(&app, &into, &everything).await;
    let (_, _, mapping) = get_page(&app, &into.session.cookie, &again).await;
    assert!(
        mapping.contains(&format!(r#"<option value="cf.{colour}" selected>"#)),
        "{mapping}"
    );
    // Accept every guess, as a user pressing "Start import" at once would.
    let header: Vec<String> = csv::Reader::from_reader(everything.as_bytes())
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let guesses = ivorey_app::imports::fields::guess(
        &header,
        &app.store
            .list_custom_fields(&location_of(&into), Some("contact"))
            .await
            .unwrap(),
    );
    let keys: Vec<String> = (0..guesses.len()).map(|i| format!("col.{i}")).collect();
    let posted: Vec<(&str, &str)> = keys
        .iter()
        .zip(&guesses)
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    start(&app, &into, &again, &posted).await;
    assert_eq!(finished(&app, &into, &again).await.created, 3);
    let shape = |c: &ivorey_core::contact::Contact| {
        let f = &c.fields;
        let colour = f.custom_fields.first().map(|v| v.value.to_string());
        (
            f.first_name.clone(),
            f.last_name.clone(),
            f.email.clone(),
            f.phone.clone(),
            f.company_name.clone(),
            f.tags.clone(),
            f.dnd,
            colour,
        )
    };
    let mut before: Vec<_> = all_contacts(&app, &from).await.iter().map(shape).collect();
    let mut after: Vec<_> = all_contacts(&app, &into).await.iter().map(shape).collect();
    before.sort();
    after.sort();
    assert_eq!(before, after);
    assert_eq!(before[0].4.as_deref(), Some("=HYPERLINK(1)"));
}

async fn an_import_interrupted_after_one_batch_resumes_and_counts_every_row_once(app: TestApp) {
    let admin = app.new_admin("Crash Co").await;
    let location = location_of(&admin);
    let mut csv = String::from("Email,First name\n");
    for n in 1..=1000 {
        csv.push_str(&format!("p{n}@example.com,P{n}\n"));
    }
    csv.push_str("not-an-email,Bad\n");
    let page = uploaded(&app, &admin, &csv).await;
    let id = job_id(&page);
    // A node starts the import and dies after its first batch (no wake: the server's worker
    // only looks again when woken).
    let mapping = ["email".to_owned(), "firstName".to_owned()];
    let now = app.clock.now();
    app.store
        .start_import(&location, &id, &mapping, now)
        .await
        .unwrap();
    let lease = Duration::from_secs(30);
    let claimed = app
        .store
        .claim_import("crashed-node", now, now.plus(lease))
        .await
        .unwrap();
    let job = claimed.expect("the crashed node claimed the job");
    let config = ImportConfig {
        batch_rows: 100,
        lease,
        poll_interval: Duration::from_secs(60),
    };
    let after_one = apply_next_batch(
        app.store.as_ref(),
        &app.clock,
        &config,
        "crashed-node",
        &job,
    )
    .await
    .unwrap();
    assert_eq!((after_one.done_rows, after_one.created), (100, 100));
    // While its lease runs, no other worker takes the job.
    let other = app
        .store
        .claim_import("other-node", app.clock.now(), now.plus(lease))
        .await;
    assert!(other.unwrap().is_none());
    // The lease ends; the server's worker takes over.
    app.clock.advance(Duration::from_secs(31));
    app.state.imports.wake();
    let done = finished(&app, &admin, &page).await;
    assert_eq!((done.created, done.updated, done.refused), (1000, 0, 1));
    assert_eq!(done.done_rows, 1001);
    // The crashed node's late batch is refused whole: nothing applied twice.
    let late = apply_next_batch(
        app.store.as_ref(),
        &app.clock,
        &config,
        "crashed-node",
        &after_one,
    )
    .await;
    assert!(late.is_err(), "{late:?}");
    let all = all_contacts(&app, &admin).await;
    assert_eq!(all.len(), 1000);
    let mut emails: Vec<_> = all.iter().filter_map(|c| c.fields.email.clone()).collect();
    emails.sort();
    emails.dedup();
    assert_eq!(emails.len(), 1000, "each row applied once");
    let refused = app
        .store
        .refused_import_rows(&location, &id, 0, 10)
        .await
        .unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].number, 1001);
}
