//! Conformance cases for locations, users and sessions.

use ivorey_core::audit::AuditAction;
use ivorey_core::location::{BusinessProfile, Location};
use ivorey_core::user::Role;
use ivorey_core::{LocationId, Timestamp, UserId};

use super::fixtures::{T0, audit, new_location};
use crate::{AdminAccount, NewUser, SessionRecord, Store, StoreError};

pub async fn location_and_profile_round_trip(store: &dyn Store) {
    let (id, admin) = new_location(store, "Acme Plumbing").await;
    let loc = store
        .get_location(&id)
        .await
        .unwrap()
        .expect("location exists");
    assert_eq!(loc.profile.name, "Acme Plumbing");
    assert_eq!(loc.created_at, T0);
    let profile = BusinessProfile {
        name: "Acme Plumbing & Heating".into(),
        email: Some("hello@acme.io".into()),
        timezone: Some("Europe/Paris".into()),
        city: Some("Lyon".into()),
        ..Default::default()
    };
    let entry = audit(&id, None, AuditAction::BusinessProfileUpdated, T0);
    let updated = store
        .update_business_profile(&id, &profile, &entry)
        .await
        .unwrap();
    assert_eq!(updated.profile, profile);
    assert_eq!(
        store.get_location(&id).await.unwrap().unwrap().profile,
        profile
    );
    assert!(
        store
            .get_location(&LocationId::generate())
            .await
            .unwrap()
            .is_none()
    );
    let missing = store
        .update_business_profile(&LocationId::generate(), &profile, &entry)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let memberships = store.memberships(&admin).await.unwrap();
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].role, Role::Admin);
    assert_eq!(memberships[0].location_name, "Acme Plumbing & Heating");
    assert!(store.count_locations().await.unwrap() >= 1);
}

pub async fn admin_email_is_unique(store: &dyn Store) {
    let user = NewUser {
        id: UserId::generate(),
        email: format!(
            "{}@dup.example",
            ivorey_core::random::base62(10).to_lowercase()
        ),
        name: "A".into(),
        password_hash: "x".into(),
        created_at: T0,
    };
    let location = |name: &str| Location {
        id: LocationId::generate(),
        profile: BusinessProfile {
            name: name.into(),
            ..Default::default()
        },
        created_at: T0,
    };
    let first = location("One");
    store
        .create_location(&first, &AdminAccount::New(user.clone()))
        .await
        .unwrap();
    let second = location("Two");
    let again = NewUser {
        id: UserId::generate(),
        ..user.clone()
    };
    let err = store
        .create_location(&second, &AdminAccount::New(again))
        .await;
    assert!(matches!(err, Err(StoreError::Conflict(_))), "{err:?}");
    // All or nothing: the location of the failed call was not created.
    assert!(store.get_location(&second.id).await.unwrap().is_none());
    let (found, hash) = store
        .find_user_by_email(&user.email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, user.id);
    assert_eq!(hash, "x");
}

pub async fn existing_user_can_be_admin_of_a_second_location(store: &dyn Store) {
    let (_first, admin) = new_location(store, "First").await;
    let second = Location {
        id: LocationId::generate(),
        profile: BusinessProfile {
            name: "Second".into(),
            ..Default::default()
        },
        created_at: T0,
    };
    store
        .create_location(&second, &AdminAccount::Existing(admin.clone()))
        .await
        .unwrap();
    let mut names: Vec<_> = store
        .memberships(&admin)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.location_name)
        .collect();
    names.sort();
    assert_eq!(names, ["First", "Second"]);
    let (third, _) = new_location(store, "Third").await;
    store
        .set_membership(&third, &admin, Role::User)
        .await
        .unwrap();
    store
        .set_membership(&third, &admin, Role::User)
        .await
        .unwrap();
    let roles: Vec<_> = store
        .memberships(&admin)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.location_id == third)
        .map(|m| m.role)
        .collect();
    assert_eq!(roles, [Role::User]);
}

pub async fn sessions_are_found_by_hash_until_they_expire(store: &dyn Store) {
    let (_, admin) = new_location(store, "S").await;
    let session = SessionRecord {
        id_hash: [7; 32],
        user_id: admin.clone(),
        csrf_token: "csrf".into(),
        created_at: T0,
        expires_at: Timestamp(T0.0 + 1000),
    };
    let mut hash = [0u8; 32];
    ivorey_core::random::fill(&mut hash);
    let session = SessionRecord {
        id_hash: hash,
        ..session
    };
    store.create_session(&session).await.unwrap();
    let (found, user) = store
        .find_session(&hash, T0)
        .await
        .unwrap()
        .expect("live session");
    assert_eq!(found, session);
    assert_eq!(user.id, admin);
    assert!(
        store
            .find_session(&hash, Timestamp(T0.0 + 1000))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .purge_expired_sessions(Timestamp(T0.0 + 2000))
            .await
            .unwrap()
            >= 1
    );
    store.create_session(&session).await.unwrap();
    store.delete_session(&hash).await.unwrap();
    assert!(store.find_session(&hash, T0).await.unwrap().is_none());
}

pub async fn location_users_lists_members_with_their_roles_and_no_one_else(store: &dyn Store) {
    let (loc, admin) = new_location(store, "Team").await;
    let (other, outsider) = new_location(store, "Other").await;
    let member = NewUser {
        id: UserId::generate(),
        email: format!(
            "{}@team.example",
            ivorey_core::random::base62(10).to_lowercase()
        ),
        name: "Aaron Member".into(),
        password_hash: "x".into(),
        created_at: T0,
    };
    store.create_user(&member).await.unwrap();
    store
        .set_membership(&loc, &member.id, Role::User)
        .await
        .unwrap();
    let users = store.location_users(&loc).await.unwrap();
    let listed: Vec<_> = users.iter().map(|(u, r)| (u.id.clone(), *r)).collect();
    // Ordered by name: "Aaron Member" before "Admin".
    assert_eq!(
        listed,
        [
            (member.id.clone(), Role::User),
            (admin.clone(), Role::Admin)
        ]
    );
    assert!(!listed.iter().any(|(id, _)| id == &outsider));
    let others: Vec<_> = store
        .location_users(&other)
        .await
        .unwrap()
        .into_iter()
        .map(|(u, _)| u.id)
        .collect();
    assert_eq!(others, [outsider]);
    assert!(
        store
            .location_users(&LocationId::generate())
            .await
            .unwrap()
            .is_empty()
    );
}
