//! The CRM's contacts and dashboard pages over plain HTTP (no browser): what an integration
//! created shows up; search, tag filter and keyset pages; create (with the upsert rule), edit,
//! delete; tags, notes and tasks; and for every route, another business's ids answer exactly as
//! missing ones, and a form without its CSRF token changes nothing. Both backends.

use ivorey_core::Clock;
use ivorey_core::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser_support::{add_member, get_page, post_form};
use crate::common::{Admin, PASSWORD, TestApp};

on_both_backends!(
    contacts_an_integration_created_are_listed_searched_and_paged,
    a_contact_is_added_edited_tagged_and_deleted_through_the_forms,
    adding_a_contact_with_a_known_email_updates_that_contact,
    notes_and_tasks_are_kept_on_the_contact_and_tasks_due_show_on_the_dashboard,
    bulk_tagging_changes_only_the_ticked_contacts_of_this_business,
    another_business_contact_is_not_found_on_every_route,
    a_contact_form_without_its_csrf_token_changes_nothing,
    bad_input_is_shown_beside_the_field_and_nothing_is_saved,
    what_an_integration_did_shows_on_the_contact_its_page_and_the_dashboard,
);

fn contacts(admin: &Admin, rest: &str) -> String {
    format!("/l/{}/contacts{rest}", admin.location)
}

fn location_header(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// An integration with contact scopes, and `names` contacts made through the API.
async fn with_contacts(app: &TestApp, admin: &Admin, names: &[&str]) -> (String, Vec<String>) {
    let (_, token) = app
        .integration(admin, &["contacts.readonly", "contacts.write"])
        .await;
    let mut ids = Vec::new();
    for name in names {
        ids.push(app.contact(&token, &admin.location, name).await);
        // One second apart, so "newest first" has one answer.
        app.clock.advance(std::time::Duration::from_secs(1));
    }
    (token, ids)
}

/// The contact id in a `Location:` of `/l/{loc}/contacts/{id}?...`.
fn contact_in(location: &str) -> String {
    let rest = location.split("/contacts/").nth(1).expect("a contact path");
    rest.split(['?', '#', '/']).next().expect("id").to_owned()
}

async fn contacts_an_integration_created_are_listed_searched_and_paged(app: TestApp) {
    let admin = app.new_admin("Listing Co").await;
    let cookie = admin.session.cookie.clone();
    let (status, _, body) = get_page(&app, &cookie, &contacts(&admin, "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No contacts yet"), "{body}");
    let mut names: Vec<String> = (0..30).map(|i| format!("Person{i:02}")).collect();
    names.push("Zelda".into());
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (token, ids) = with_contacts(&app, &admin, &refs).await;
    let (status, _) = app
        .api(
            &token,
            Method::POST,
            &format!("/contacts/{}/tags", ids[30]),
            Some(json!({ "tags": ["vip"] })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Newest first, 25 a page, and a next page that continues where this one ended.
    let (_, _, first) = get_page(&app, &cookie, &contacts(&admin, "")).await;
    assert!(first.contains("31 contacts"), "{first}");
    assert!(first.contains("Zelda") && first.contains("Person06"));
    assert!(!first.contains("Person05"), "page one holds 25 of 31");
    let next = first
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|href| href.contains("after_id="))
        .expect("a next page link")
        .replace("&amp;", "&");
    let (_, _, second) = get_page(&app, &cookie, &next).await;
    assert!(second.contains("Person05") && second.contains("Person00"));
    assert!(!second.contains("Person06") && !second.contains("Zelda"));
    // Search by word prefix, the tag filter, and a sort by first name.
    let (_, _, found) = get_page(&app, &cookie, &contacts(&admin, "?q=zel")).await;
    assert!(found.contains("Zelda") && !found.contains("Person01"));
    let (_, _, tagged) = get_page(&app, &cookie, &contacts(&admin, "?tag=VIP")).await;
    assert!(
        tagged.contains("Zelda") && tagged.contains("1 contact<"),
        "{tagged}"
    );
    let (_, _, none) = get_page(&app, &cookie, &contacts(&admin, "?q=nobody")).await;
    assert!(none.contains("No contacts match"));
    let (_, _, sorted) = get_page(&app, &cookie, &contacts(&admin, "?sort=first")).await;
    let p0 = sorted.find("Person00").expect("Person00 listed");
    let p1 = sorted.find("Person01").expect("Person01 listed");
    assert!(p0 < p1, "A to Z");
    // A search the engine refuses is the client's mistake, said beside the box.
    let long = format!("?q={}", "a".repeat(201));
    let (status, _, body) = get_page(&app, &cookie, &contacts(&admin, &long)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("at most 200 characters"), "{body}");
    // The dashboard counts them.
    let (_, _, dashboard) =
        get_page(&app, &cookie, &format!("/l/{}/dashboard", admin.location)).await;
    assert!(dashboard.contains(">31<"), "{dashboard}");
}

async fn a_contact_is_added_edited_tagged_and_deleted_through_the_forms(app: TestApp) {
    let admin = app.new_admin("Forms Co").await;
    let (cookie, csrf) = (admin.session.cookie.as_str(), admin.session.csrf.as_str());
    let (status, _, form) = get_page(&app, cookie, &contacts(&admin, "/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("for=\"f-firstName\""), "every input labelled");
    let fields = [
        ("csrf", csrf),
        ("firstName", "Ada"),
        ("lastName", "Lovelace"),
        ("email", "ada@example.com"),
        ("tags", "Lead, newsletter"),
    ];
    let (status, headers, _) = post_form(&app, cookie, &contacts(&admin, ""), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = location_header(&headers);
    assert!(to.ends_with("?done=created"), "{to}");
    let id = contact_in(&to);
    let (_, _, page) = get_page(&app, cookie, &to).await;
    assert!(page.contains("Ada Lovelace") && page.contains("ada@example.com"));
    assert!(page.contains("lead") && page.contains("newsletter"));
    // Edit: a cleared field is removed, a new one is kept.
    let fields = [
        ("csrf", csrf),
        ("firstName", "Ada"),
        ("lastName", "King"),
        ("email", ""),
        ("phone", "+44 20 7946 0000"),
        ("dnd", "on"),
    ];
    let (status, _, _) = post_form(
        &app,
        cookie,
        &contacts(&admin, &format!("/{id}/edit")),
        &fields,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = get_page(&app, cookie, &contacts(&admin, &format!("/{id}"))).await;
    assert!(page.contains("Ada King") && !page.contains("ada@example.com"));
    assert!(page.contains("On: no messages are sent"));
    // Tags on the contact's page.
    let tag = [("csrf", csrf), ("tag", "Customer")];
    let (status, _, _) = post_form(
        &app,
        cookie,
        &contacts(&admin, &format!("/{id}/tags")),
        &tag,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let untag = [("csrf", csrf), ("tag", "lead")];
    post_form(
        &app,
        cookie,
        &contacts(&admin, &format!("/{id}/tags/remove")),
        &untag,
    )
    .await;
    let contact = app
        .store
        .get_contact(&loc(&admin), &ivorey_core::ContactId::parse(&id).unwrap())
        .await
        .unwrap()
        .expect("still there");
    assert_eq!(contact.fields.tags, vec!["newsletter", "customer"]);
    assert!(
        matches!(
            contact.updated_by,
            Some(ivorey_core::changed_by::ChangedBy::User(_))
        ),
        "a tag from the page is the user's change: {:?}",
        contact.updated_by
    );
    // Delete asks first, then removes it.
    let (status, _, confirm) =
        get_page(&app, cookie, &contacts(&admin, &format!("/{id}/delete"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("This cannot be undone"));
    let (status, headers, _) = post_form(
        &app,
        cookie,
        &contacts(&admin, &format!("/{id}/delete")),
        &[("csrf", csrf)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location_header(&headers).ends_with("/contacts?done=deleted"));
    let (status, _, _) = get_page(&app, cookie, &contacts(&admin, &format!("/{id}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

fn loc(admin: &Admin) -> ivorey_core::LocationId {
    ivorey_core::LocationId::parse(&admin.location).expect("location id")
}

async fn adding_a_contact_with_a_known_email_updates_that_contact(app: TestApp) {
    let admin = app.new_admin("Upsert Co").await;
    let (cookie, csrf) = (admin.session.cookie.as_str(), admin.session.csrf.as_str());
    let first = [
        ("csrf", csrf),
        ("firstName", "Bo"),
        ("email", "bo@example.com"),
    ];
    let (_, headers, _) = post_form(&app, cookie, &contacts(&admin, ""), &first).await;
    let id = contact_in(&location_header(&headers));
    let again = [
        ("csrf", csrf),
        ("lastName", "Diddley"),
        ("email", "BO@example.com"),
    ];
    let (status, headers, _) = post_form(&app, cookie, &contacts(&admin, ""), &again).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = location_header(&headers);
    assert_eq!(contact_in(&to), id, "the same contact");
    assert!(to.ends_with("?done=merged"));
    let (_, _, page) = get_page(&app, cookie, &to).await;
    assert!(page.contains("Bo Diddley") && page.contains("already existed"));
}

async fn notes_and_tasks_are_kept_on_the_contact_and_tasks_due_show_on_the_dashboard(app: TestApp) {
    let admin = app.new_admin("Notes Co").await;
    let (cookie, csrf) = (admin.session.cookie.as_str(), admin.session.csrf.as_str());
    let (_, ids) = with_contacts(&app, &admin, &["Noor"]).await;
    let base = contacts(&admin, &format!("/{}", ids[0]));
    let note = [("csrf", csrf), ("body", "Called <b>twice</b>")];
    let (status, _, _) = post_form(&app, cookie, &format!("{base}/notes"), &note).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = get_page(&app, cookie, &base).await;
    assert!(
        page.contains("Called &lt;b&gt;twice&lt;/b&gt;"),
        "escaped: {page}"
    );
    let notes = app
        .store
        .list_notes(
            &loc(&admin),
            &ivorey_core::ContactId::parse(&ids[0]).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(notes.len(), 1);
    let note_id = notes[0].id.to_string();
    let edit = [("csrf", csrf), ("body", "Called three times")];
    post_form(&app, cookie, &format!("{base}/notes/{note_id}"), &edit).await;
    let (_, _, page) = get_page(&app, cookie, &format!("{base}?note={note_id}")).await;
    assert!(page.contains("Edit the note") && page.contains("Called three times"));
    post_form(
        &app,
        cookie,
        &format!("{base}/notes/{note_id}/delete"),
        &[("csrf", csrf)],
    )
    .await;
    let (_, _, page) = get_page(&app, cookie, &base).await;
    assert!(page.contains("No notes yet"));
    // A task due in an hour is on the dashboard until it is completed.
    let due = ivorey_core::Timestamp(app.clock.now().0 + 3_600_000).to_rfc3339();
    let due_local = &due[..16];
    let task = [
        ("csrf", csrf),
        ("title", "Send the quote"),
        ("due", due_local),
    ];
    let (status, _, body) = post_form(&app, cookie, &format!("{base}/tasks"), &task).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let dashboard = format!("/l/{}/dashboard", admin.location);
    let (_, _, page) = get_page(&app, cookie, &dashboard).await;
    assert!(
        page.contains("Send the quote") && page.contains("Noor"),
        "{page}"
    );
    let tasks = app
        .store
        .list_tasks(
            &loc(&admin),
            &ivorey_core::ContactId::parse(&ids[0]).unwrap(),
        )
        .await
        .unwrap();
    let done = [("csrf", csrf), ("completed", "true")];
    let path = format!("{base}/tasks/{}/complete", tasks[0].id);
    post_form(&app, cookie, &path, &done).await;
    let (_, _, page) = get_page(&app, cookie, &dashboard).await;
    assert!(
        !page.contains("Send the quote"),
        "completed tasks leave the dashboard"
    );
    // A task without a due time is refused and nothing is added.
    let bad = [("csrf", csrf), ("title", "No date"), ("due", "")];
    let (status, _, _) = post_form(&app, cookie, &format!("{base}/tasks"), &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let tasks = app
        .store
        .list_tasks(
            &loc(&admin),
            &ivorey_core::ContactId::parse(&ids[0]).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(tasks.len(), 1);
}

async fn bulk_tagging_changes_only_the_ticked_contacts_of_this_business(app: TestApp) {
    let admin = app.new_admin("Bulk Co").await;
    let other = app.new_admin("Other Co").await;
    let (_, mine) = with_contacts(&app, &admin, &["A", "B", "C"]).await;
    let (_, theirs) = with_contacts(&app, &other, &["X"]).await;
    let (cookie, csrf) = (admin.session.cookie.as_str(), admin.session.csrf.as_str());
    let fields = [
        ("csrf", csrf),
        ("tag", "Spring Promo"),
        ("action", "add"),
        ("contact", mine[0].as_str()),
        ("contact", mine[2].as_str()),
        ("contact", theirs[0].as_str()),
    ];
    let (status, _, _) = post_form(&app, cookie, &contacts(&admin, "/bulk-tags"), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let tags_of = |location: ivorey_core::LocationId, id: String| {
        let store = app.store.clone();
        async move {
            let id = ivorey_core::ContactId::parse(&id).unwrap();
            store
                .get_contact(&location, &id)
                .await
                .unwrap()
                .unwrap()
                .fields
                .tags
        }
    };
    assert_eq!(
        tags_of(loc(&admin), mine[0].clone()).await,
        vec!["spring promo"]
    );
    assert!(tags_of(loc(&admin), mine[1].clone()).await.is_empty());
    assert_eq!(
        tags_of(loc(&admin), mine[2].clone()).await,
        vec!["spring promo"]
    );
    assert!(tags_of(loc(&other), theirs[0].clone()).await.is_empty());
    let fields = [
        ("csrf", csrf),
        ("tag", "spring promo"),
        ("action", "remove"),
        ("contact", mine[0].as_str()),
    ];
    post_form(&app, cookie, &contacts(&admin, "/bulk-tags"), &fields).await;
    assert!(tags_of(loc(&admin), mine[0].clone()).await.is_empty());
    // Nothing ticked: said, and nothing changes.
    let fields = [("csrf", csrf), ("tag", "x"), ("action", "add")];
    let (status, _, body) = post_form(&app, cookie, &contacts(&admin, "/bulk-tags"), &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Tick the boxes"));
}

async fn another_business_contact_is_not_found_on_every_route(app: TestApp) {
    let admin = app.new_admin("Mine").await;
    let other = app.new_admin("Theirs").await;
    let (_, theirs) = with_contacts(&app, &other, &["Secret Person"]).await;
    let id = &theirs[0];
    let (cookie, csrf) = (admin.session.cookie.as_str(), admin.session.csrf.as_str());
    let missing = "aaaaaaaaaaaaaaaaaaaa";
    for contact in [id.as_str(), missing] {
        for rest in ["", "/edit", "/delete"] {
            let path = contacts(&admin, &format!("/{contact}{rest}"));
            let (status, _, body) = get_page(&app, cookie, &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(body.contains("Contact not found") && !body.contains("Secret"));
        }
        for rest in [
            "/edit",
            "/delete",
            "/tags",
            "/tags/remove",
            "/notes",
            "/tasks",
        ] {
            let path = contacts(&admin, &format!("/{contact}{rest}"));
            let fields = [("csrf", csrf), ("tag", "x"), ("body", "x"), ("title", "x")];
            let (status, _, _) = post_form(&app, cookie, &path, &fields).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
    }
    // The other business's own pages are not reachable at all.
    for rest in ["", "/new", &format!("/{id}")] {
        let path = format!("/l/{}/contacts{rest}", other.location);
        let (status, _, body) = get_page(&app, cookie, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!body.contains("Secret"));
    }
    let (status, _, _) = get_page(&app, cookie, &format!("/l/{}/dashboard", other.location)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let kept = app
        .store
        .get_contact(&loc(&other), &ivorey_core::ContactId::parse(id).unwrap())
        .await
        .unwrap()
        .expect("untouched");
    assert!(kept.fields.tags.is_empty());
    // A plain user of the business works its contacts too.
    let email = add_member(&app, &admin.location, Role::User).await;
    let user = app.sign_in(&email, PASSWORD).await;
    let (status, _, _) = get_page(&app, &user.cookie, &contacts(&admin, "")).await;
    assert_eq!(status, StatusCode::OK);
}

async fn a_contact_form_without_its_csrf_token_changes_nothing(app: TestApp) {
    let admin = app.new_admin("Forgery Co").await;
    let (_, ids) = with_contacts(&app, &admin, &["Target"]).await;
    let cookie = admin.session.cookie.as_str();
    let id = &ids[0];
    let posts = [
        (contacts(&admin, ""), vec![("firstName", "Forged")]),
        (
            contacts(&admin, &format!("/{id}/edit")),
            vec![("firstName", "Forged")],
        ),
        (contacts(&admin, &format!("/{id}/delete")), vec![]),
        (
            contacts(&admin, &format!("/{id}/tags")),
            vec![("tag", "forged")],
        ),
        (
            contacts(&admin, &format!("/{id}/notes")),
            vec![("body", "forged")],
        ),
        (
            contacts(&admin, &format!("/{id}/tasks")),
            vec![("title", "forged"), ("due", "2030-01-01T10:00")],
        ),
        (
            contacts(&admin, "/bulk-tags"),
            vec![
                ("tag", "forged"),
                ("action", "add"),
                ("contact", id.as_str()),
            ],
        ),
    ];
    for (path, fields) in posts {
        for csrf in [None, Some("wrong-token")] {
            let mut sent = fields.clone();
            if let Some(token) = csrf {
                sent.push(("csrf", token));
            }
            let (status, _, _) = post_form(&app, cookie, &path, &sent).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
    }
    let contact_id = ivorey_core::ContactId::parse(id).unwrap();
    let kept = app
        .store
        .get_contact(&loc(&admin), &contact_id)
        .await
        .unwrap()
        .expect("not deleted");
    assert_eq!(kept.fields.first_name.as_deref(), Some("Target"));
    assert!(kept.fields.tags.is_empty());
    let store = app.store.as_ref();
    assert!(
        store
            .list_notes(&loc(&admin), &contact_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_tasks(&loc(&admin), &contact_id)
            .await
            .unwrap()
            .is_empty()
    );
    let (_, _, list) = get_page(&app, cookie, &contacts(&admin, "")).await;
    assert!(list.contains("1 contact<") && !list.contains("Forged"));
}

async fn bad_input_is_shown_beside_the_field_and_nothing_is_saved(app: TestApp) {
    let admin = app.new_admin("Typos Co").await;
    let (cookie, csrf) = (admin.session.cookie.as_str(), admin.session.csrf.as_str());
    let fields = [
        ("csrf", csrf),
        ("firstName", "Typo"),
        ("email", "not-an-email"),
        ("country", "Narnia"),
    ];
    let (status, _, body) = post_form(&app, cookie, &contacts(&admin, ""), &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Email must be an email address."), "{body}");
    assert!(
        body.contains("Country must be a two-letter country code"),
        "{body}"
    );
    assert!(body.contains("value=\"Typo\""), "what was typed is kept");
    let empty = [("csrf", csrf)];
    let (status, _, body) = post_form(&app, cookie, &contacts(&admin, ""), &empty).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("needs at least one of"), "{body}");
    let nul = [("csrf", csrf), ("firstName", "a\u{0}b")];
    let (status, _, _) = post_form(&app, cookie, &contacts(&admin, ""), &nul).await;
    assert!(status.is_client_error(), "{status}");
    let (_, _, list) = get_page(&app, cookie, &contacts(&admin, "")).await;
    assert!(list.contains("No contacts yet"), "nothing was saved");
}

async fn what_an_integration_did_shows_on_the_contact_its_page_and_the_dashboard(app: TestApp) {
    let admin = app.new_admin("Attribution Co").await;
    let (cookie, csrf) = (admin.session.cookie.as_str(), admin.session.csrf.as_str());
    let (integration, token) = app
        .integration(&admin, &["contacts.readonly", "contacts.write"])
        .await;
    let made = app.contact(&token, &admin.location, "Made").await;
    app.clock.advance(std::time::Duration::from_secs(5));
    let changed = app.contact(&token, &admin.location, "Changed").await;
    app.clock.advance(std::time::Duration::from_secs(5));
    let (status, _) = app
        .api(
            &token,
            Method::PUT,
            &format!("/contacts/{changed}"),
            Some(json!({ "lastName": "Later" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, page) = get_page(&app, cookie, &contacts(&admin, &format!("/{made}"))).await;
    assert!(page.contains("Created by <a"), "{page}");
    assert!(page.contains("<strong>Test tool</strong>"), "{page}");
    // The integration's page lists both, newest change first.
    let detail = format!("/l/{}/settings/integrations/{integration}", admin.location);
    let (_, _, page) = get_page(&app, cookie, &detail).await;
    let did = &page[page.find("What this integration did").expect("the section")..];
    let (changed_at, made_at) = (
        did.find("Changed Later").unwrap(),
        did.find(">Made<").unwrap(),
    );
    assert!(changed_at < made_at, "{did}");
    assert!(did.contains("changed the contact") && did.contains("created the contact"));
    // A person's edit takes the contact off the integration's list, and says who.
    let fields = [
        ("csrf", csrf),
        ("firstName", "Made"),
        ("lastName", "By Hand"),
    ];
    post_form(
        &app,
        cookie,
        &contacts(&admin, &format!("/{made}/edit")),
        &fields,
    )
    .await;
    let (_, _, page) = get_page(&app, cookie, &contacts(&admin, &format!("/{made}"))).await;
    assert!(page.contains("last changed by <strong>"), "{page}");
    let (_, _, page) = get_page(&app, cookie, &detail).await;
    let did = &page[page.find("What this integration did").unwrap()..];
    assert!(!did.contains("By Hand") && did.contains("Changed Later"));
    // The dashboard's feed names the integration.
    let (_, _, page) = get_page(&app, cookie, &format!("/l/{}/dashboard", admin.location)).await;
    let feed = &page[page.find("Recent activity by integrations").unwrap()..];
    assert!(
        feed.contains("Test tool") && feed.contains("Changed Later"),
        "{feed}"
    );
    // Once the integration is deleted its records say so, and nothing else breaks.
    let (status, _) = app
        .manage(
            &admin.session,
            Method::DELETE,
            &admin.integration_path(&integration),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, page) = get_page(&app, cookie, &contacts(&admin, &format!("/{changed}"))).await;
    assert!(page.contains("a deleted integration"), "{page}");
}
