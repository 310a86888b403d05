//! Forms through their pages, on both backends: the business builds a form (contact fields and
//! a question of its own, required or not, relabelled, reordered, removed; a thank-you message
//! or a redirect, the latter only to a web address); a visitor submits its hosted page
//! `/f/{formId}` and lands on the thanks, and a new contact appears with the form as its
//! source; a missing required answer is shown beside its field and nothing is stored; the
//! honeypot drops a bot's post; a website's embedded form posting to
//! `/forms/submit/{formId}` sends the visitor's browser to the form's redirect; submissions are
//! listed with links to their contacts; another business's form is not found in the app, and
//! forged posts change nothing.

use ivorey_core::LocationId;
use ivorey_core::changed_by::ChangedBy;
use ivorey_core::form::{FieldType, Form};
use ivorey_core::ids::FormId;
use ivorey_store::SubmissionQuery;
use reqwest::StatusCode;

use crate::browser_support::{form_body, get_page, no_redirects, post_form};
use crate::common::{Admin, TestApp};

on_both_backends!(
    a_form_is_built_shared_and_submitted_by_a_visitor,
    another_business_form_is_not_found_and_forged_posts_change_nothing,
);

fn loc(admin: &Admin) -> LocationId {
    LocationId::parse(&admin.location).expect("location id")
}

fn location_header(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn stored(app: &TestApp, admin: &Admin, id: &FormId) -> Form {
    app.store
        .get_form(&loc(admin), id)
        .await
        .unwrap()
        .expect("the form")
}

async fn create(app: &TestApp, admin: &Admin, name: &str) -> FormId {
    let fields = [("csrf", admin.session.csrf.as_str()), ("name", name)];
    let path = format!("/l/{}/forms", admin.location);
    let (status, headers, body) = post_form(app, &admin.session.cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let to = location_header(&headers);
    let id = to.split('?').next().unwrap().rsplit('/').next().unwrap();
    FormId::parse(id).expect("form id")
}

async fn edit(
    app: &TestApp,
    admin: &Admin,
    id: &FormId,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut sent = vec![("csrf", admin.session.csrf.as_str())];
    sent.extend_from_slice(fields);
    let path = format!("/l/{}/forms/{id}", admin.location);
    let (status, _, body) = post_form(app, &admin.session.cookie, &path, &sent).await;
    (status, body)
}

/// A visitor's browser posting `fields` to `path`: HTML accepted, a form body, no cookie.
async fn visitor_posts(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let response = no_redirects()
        .post(app.url(path))
        .header("accept", "text/html,application/xhtml+xml")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://www.rosan-bakery.example")
        .body(form_body(fields))
        .send()
        .await
        .expect("post");
    let status = response.status();
    let to = location_header(response.headers());
    (status, to, response.text().await.unwrap_or_default())
}

fn keys(form: &Form) -> Vec<&str> {
    form.fields.iter().map(|f| f.key.as_str()).collect()
}

async fn a_form_is_built_shared_and_submitted_by_a_visitor(app: TestApp) {
    let admin = app.new_admin("Rosan Bakery").await;
    let cookie = admin.session.cookie.as_str();
    let (_, _, page) = get_page(&app, cookie, &format!("/l/{}/forms", admin.location)).await;
    assert!(page.contains("No forms yet"), "{page}");
    let id = create(&app, &admin, "Wedding enquiry").await;
    assert_eq!(
        keys(&stored(&app, &admin, &id).await),
        ["firstName", "lastName", "email"]
    );

    // Build: a phone field, a question with choices, relabel, reorder, remove.
    assert_eq!(
        edit(
            &app,
            &admin,
            &id,
            &[
                ("action", "add-standard"),
                ("key", "phone"),
                ("required", "on")
            ]
        )
        .await
        .0,
        StatusCode::SEE_OTHER
    );
    let question = [
        ("action", "add-question"),
        ("label", "How many guests?"),
        ("type", "select"),
        ("options", "Up to 50\n50 to 100\nMore than 100"),
        ("required", "on"),
    ];
    assert_eq!(
        edit(&app, &admin, &id, &question).await.0,
        StatusCode::SEE_OTHER
    );
    edit(
        &app,
        &admin,
        &id,
        &[
            ("action", "field"),
            ("key", "lastName"),
            ("label", "Surname"),
        ],
    )
    .await;
    edit(
        &app,
        &admin,
        &id,
        &[("action", "move-up"), ("key", "howManyGuests")],
    )
    .await;
    edit(&app, &admin, &id, &[("action", "remove"), ("key", "phone")]).await;
    let form = stored(&app, &admin, &id).await;
    assert_eq!(
        keys(&form),
        ["firstName", "lastName", "email", "howManyGuests"]
    );
    assert_eq!(form.fields[1].label, "Surname");
    let guests = &form.fields[3];
    assert_eq!(
        (guests.field_type, guests.required),
        (FieldType::Select, true)
    );
    assert_eq!(guests.options, ["Up to 50", "50 to 100", "More than 100"]);
    // A choice question without choices, and a redirect that is not a web address: refused.
    let (status, page) = edit(
        &app,
        &admin,
        &id,
        &[
            ("action", "add-question"),
            ("label", "Flavour"),
            ("type", "select"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("options"), "{page}");
    let (status, page) = edit(
        &app,
        &admin,
        &id,
        &[
            ("action", "settings"),
            ("name", "Wedding enquiry"),
            ("redirectUrl", "javascript:alert(1)"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Redirect to must be a web address"), "{page}");
    assert_eq!(stored(&app, &admin, &id).await, form, "nothing changed");
    let thanks = [
        ("action", "settings"),
        ("name", "Wedding enquiry"),
        ("thankYouMessage", "Thank you! We will call within a day."),
    ];
    assert_eq!(
        edit(&app, &admin, &id, &thanks).await.0,
        StatusCode::SEE_OTHER
    );

    // The builder shares the hosted link and an embed snippet.
    let (_, _, page) = get_page(&app, cookie, &format!("/l/{}/forms/{id}", admin.location)).await;
    assert!(page.contains(&format!("/f/{id}")), "{page}");
    assert!(
        page.contains(&format!("/forms/submit/{id}")) && page.contains("name=&quot;_hp&quot;"),
        "{page}"
    );

    // A visitor's hosted page: labelled fields, then the thanks.
    let hosted = format!("/f/{id}");
    let (status, _, page) = get_page(&app, "", &hosted).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<label for=\"f-lastName\">Surname") && page.contains("More than 100"),
        "{page}"
    );
    let answers = [
        ("firstName", "Ada"),
        ("lastName", "Lovelace"),
        ("email", "ada@example.com"),
        ("howManyGuests", "50 to 100"),
        ("_hp", ""),
    ];
    let (status, to, _) = visitor_posts(&app, &hosted, &answers).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(to, format!("/f/{id}/thanks"));
    let (_, _, page) = get_page(&app, "", &to).await;
    assert!(page.contains("We will call within a day"), "{page}");
    let contact = app
        .store
        .find_contact_by_email(&loc(&admin), "ada@example.com")
        .await
        .unwrap()
        .expect("a new contact");
    assert_eq!(contact.fields.last_name.as_deref(), Some("Lovelace"));
    assert_eq!(
        contact.created_by,
        Some(ChangedBy::Form(id.clone())),
        "the form is its source"
    );

    // A missing required answer: shown beside the field, nothing stored.
    let (status, _, page) = visitor_posts(
        &app,
        &hosted,
        &[("firstName", "Bob"), ("email", "bob@example.com")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("How many guests? is required.")
            && page.contains("href=\"#f-howManyGuests\"")
            && page.contains("value=\"Bob\""),
        "{page}"
    );
    assert!(
        app.store
            .find_contact_by_email(&loc(&admin), "bob@example.com")
            .await
            .unwrap()
            .is_none()
    );
    // A bot filling the honeypot is thanked and forgotten.
    let bot = [
        ("firstName", "Bot"),
        ("email", "bot@example.com"),
        ("howManyGuests", "Up to 50"),
        ("_hp", "http://spam.example"),
    ];
    let (status, _, _) = visitor_posts(&app, &hosted, &bot).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        app.store
            .find_contact_by_email(&loc(&admin), "bot@example.com")
            .await
            .unwrap()
            .is_none()
    );

    // The embedded form on the business's website: the browser goes to its redirect.
    let redirect = [
        ("action", "settings"),
        ("name", "Wedding enquiry"),
        ("redirectUrl", "https://www.rosan-bakery.example/thanks"),
    ];
    assert_eq!(
        edit(&app, &admin, &id, &redirect).await.0,
        StatusCode::SEE_OTHER
    );
    let answers = [
        ("firstName", "Grace"),
        ("email", "grace@example.com"),
        ("howManyGuests", "Up to 50"),
    ];
    let (status, to, _) = visitor_posts(&app, &format!("/forms/submit/{id}"), &answers).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(to, "https://www.rosan-bakery.example/thanks");
    // A refused embedded post is a page in words, not JSON.
    let (status, _, page) = visitor_posts(
        &app,
        &format!("/forms/submit/{id}"),
        &[("firstName", "No email")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Please check your answers") && page.contains("Back to the form"),
        "{page}"
    );

    // Submissions, newest first, each linking to its contact.
    let query = SubmissionQuery {
        form_id: Some(id.clone()),
        from: None,
        until: None,
        query: None,
        offset: 0,
        limit: 10,
    };
    assert_eq!(
        app.store
            .list_submissions(&loc(&admin), &query)
            .await
            .unwrap()
            .total,
        2
    );
    let (_, _, page) = get_page(
        &app,
        cookie,
        &format!("/l/{}/forms/{id}/submissions", admin.location),
    )
    .await;
    assert!(
        page.contains("2 submissions") && page.contains(&format!("/contacts/{}", contact.id)),
        "{page}"
    );
    assert!(page.contains("50 to 100"), "{page}");
    // The dashboard lists the latest submissions with their forms.
    let (_, _, page) = get_page(&app, cookie, &format!("/l/{}/dashboard", admin.location)).await;
    let recent = page
        .split("Recent form submissions")
        .nth(1)
        .unwrap_or_default();
    assert!(
        recent.contains("Grace") && recent.contains("Wedding enquiry"),
        "{page}"
    );
}

async fn another_business_form_is_not_found_and_forged_posts_change_nothing(app: TestApp) {
    let admin = app.new_admin("Mine").await;
    let other = app.new_admin("Theirs").await;
    let theirs = create(&app, &other, "Secret form").await;
    let (cookie, csrf) = (admin.session.cookie.as_str(), admin.session.csrf.as_str());
    for path in [
        format!("/l/{}/forms/{theirs}", admin.location),
        format!("/l/{}/forms/{theirs}/submissions", admin.location),
        format!("/l/{}/forms/aaaaaaaaaaaaaaaaaaaa", admin.location),
    ] {
        let (status, _, body) = get_page(&app, cookie, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!body.contains("Secret"), "{path}");
    }
    let path = format!("/l/{}/forms/{theirs}", admin.location);
    let fields = [("csrf", csrf), ("action", "settings"), ("name", "Stolen")];
    let (status, _, _) = post_form(&app, cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get_page(&app, cookie, &format!("/l/{}/forms", other.location)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(stored(&app, &other, &theirs).await.name, "Secret form");
    // The public page of a missing form is a page in words.
    let (status, _, page) = get_page(&app, "", "/f/aaaaaaaaaaaaaaaaaaaa").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Form not found"), "{page}");
    // Forged posts on my own forms change nothing.
    let mine = create(&app, &admin, "Mine").await;
    let before = stored(&app, &admin, &mine).await;
    for path in [
        format!("/l/{}/forms", admin.location),
        format!("/l/{}/forms/{mine}", admin.location),
    ] {
        for token in [None, Some("wrong-token")] {
            let mut fields = vec![("name", "Forged"), ("action", "settings")];
            if let Some(token) = token {
                fields.push(("csrf", token));
            }
            let (status, _, _) = post_form(&app, cookie, &path, &fields).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
    }
    assert_eq!(stored(&app, &admin, &mine).await, before);
    let (forms, _) = app.store.list_forms(&loc(&admin), 0, 10).await.unwrap();
    assert_eq!(forms.len(), 1);
}
