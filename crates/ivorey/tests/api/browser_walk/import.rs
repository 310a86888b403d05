//! The walk's last steps: Contacts > Import with a 1,000-row file of which 10 rows are bad
//! (mapped, started, followed on the progress page, each refusal listed and downloadable),
//! then the list filtered to the imported people and Export CSV, which holds exactly them.

use std::collections::BTreeSet;

use crate::browser_support::Browser;

/// The tag every row of the file carries, so the list can be filtered to the imported people.
const TAG: &str = "spring-fair";
/// The bad rows: every hundredth. Those divisible by 200 have no name, email or phone; the
/// others an email that is not one.
const BAD: [u32; 10] = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];

fn email(n: u32) -> String {
    format!("guest{n}@example.com")
}

/// 1,000 rows, as a spreadsheet of fair sign-ups would export them.
fn sign_ups() -> String {
    let mut csv = String::from("First Name,Last Name,E-mail,Tags\n");
    for n in 1..=1000 {
        let row = if n % 200 == 0 {
            format!(",,,{TAG}\n")
        } else if n % 100 == 0 {
            format!("Guest{n},Fairgoer,guest{n} at example.com,{TAG}\n")
        } else {
            format!("Guest{n},Fairgoer,{},{TAG}\n", email(n))
        };
        csv.push_str(&row);
    }
    csv
}

pub async fn import_and_export(browser: &mut Browser) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("spring-fair-sign-ups.csv");
    std::fs::write(&file, sign_ups()).expect("write the CSV");

    browser.follow_link("Contacts").await;
    browser.follow_link("Import").await;
    // A file input takes the file's path as typed keys: the browser's "Choose file".
    let input = browser.find("#f-file").await;
    input
        .send_keys(&file.display().to_string())
        .await
        .expect("choose the file");
    browser.shot("import-upload").await;
    browser.check_accessibility("import-upload").await;
    browser
        .click_to_load("form[enctype='multipart/form-data'] button.primary[type=submit]")
        .await;

    // The mapping page guessed each column from the header.
    let mapping = browser.source().await;
    assert!(mapping.contains("1,000 rows"), "{mapping}");
    for (column, field) in [
        ("col-0", "firstName"),
        ("col-2", "email"),
        ("col-3", "tags"),
    ] {
        let select = browser.find(&format!("#{column}")).await;
        let chosen = select.prop("value").await.expect("the select's value");
        assert_eq!(chosen.as_deref(), Some(field), "{column}");
    }
    browser.shot("import-mapping").await;
    browser.check_accessibility("import-mapping").await;
    browser
        .click_to_load("button[name=action][value=start]")
        .await;

    // The progress page refreshes itself until the worker is done.
    let page = browser
        .reload_until("the import finished", 300, |p| {
            p.contains("Import finished")
        })
        .await;
    assert!(page.contains("1,000 of 1,000 rows done"), "{page}");
    assert_eq!(browser.text("#count-created").await, "990");
    assert_eq!(browser.text("#count-updated").await, "0");
    assert_eq!(browser.text("#count-refused").await, "10");
    let rows = browser.text("table.import-refused tbody").await;
    for n in BAD {
        // Row numbers are written with their thousands grouped (1,000).
        let shown = match n {
            1000.. => format!("{},{:03}", n / 1000, n % 1000),
            _ => n.to_string(),
        };
        assert!(rows.contains(&shown), "row {shown} is listed: {rows}");
    }
    assert!(
        rows.contains("A contact needs a name, an email or a phone."),
        "{rows}"
    );
    assert!(rows.contains("Email: must be an email address"), "{rows}");
    browser.shot("import-finished").await;
    browser.check_accessibility("import-finished").await;

    let href = browser.attr("a[href$='/refused.csv']", "href").await;
    let (status, refused) = browser.fetch(&href).await;
    assert_eq!(status, 200, "{refused}");
    let mut reader = csv::Reader::from_reader(refused.as_bytes());
    let numbers: Vec<u32> = reader
        .records()
        .map(|r| r.expect("a row")[0].parse().expect("a row number"))
        .collect();
    assert_eq!(numbers, BAD, "the download has every refused row");

    // The list filtered to the fair's people, and its export.
    browser.follow_link("Back to contacts").await;
    browser.fill("#f-tag", TAG).await;
    browser
        .click_to_load("form[role=search] button[type=submit]")
        .await;
    assert!(browser.source().await.contains("990 contacts"));
    browser.shot("export-search").await;
    let href = browser.attr("a[href*='/export.csv']", "href").await;
    assert!(href.contains(&format!("tag={TAG}")), "{href}");
    let (status, exported) = browser.fetch(&href).await;
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(exported.as_bytes());
    let header = reader.headers().expect("a header").clone();
    let at = header
        .iter()
        .position(|h| h == "Email")
        .expect("an Email column");
    let rows: Vec<String> = reader
        .records()
        .map(|r| r.expect("a row")[at].to_owned())
        .collect();
    assert_eq!(rows.len(), 990, "one row per imported person");
    let emails: BTreeSet<String> = rows.into_iter().collect();
    let imported: BTreeSet<String> = (1..=1000).filter(|n| n % 100 != 0).map(email).collect();
    assert_eq!(emails, imported, "the export holds the 990 imported people");
}
