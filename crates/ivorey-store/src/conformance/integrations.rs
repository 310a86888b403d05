//! Conformance cases for Private Integrations and their tokens.

use std::time::Duration;

use ivorey_core::audit::AuditAction;
use ivorey_core::integration::{IntegrationPatch, IpAllowlist};
use ivorey_core::{IntegrationId, Scope, ScopeSet, Timestamp, Token};

use super::fixtures::{T0, audit, new_integration, new_location};
use crate::{Store, StoreError};

const WEEK: Duration = Duration::from_secs(7 * 86_400);

pub async fn integrations_are_isolated_by_location(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let (ia, _) = new_integration(store, &a, &[Scope::ContactsRead]).await;
    let (ib, _) = new_integration(store, &b, &[Scope::ContactsRead]).await;
    let listed: Vec<_> = store
        .list_integrations(&a, T0)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(listed, std::slice::from_ref(&ia.id));
    assert_eq!(
        store
            .get_integration(&a, &ia.id, T0)
            .await
            .unwrap()
            .as_ref(),
        Some(&ia)
    );
    assert!(
        store
            .get_integration(&a, &ib.id, T0)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.integration_location(&ib.id).await.unwrap(),
        Some(b.clone())
    );
    let patch = IntegrationPatch {
        name: Some("stolen".into()),
        ..Default::default()
    };
    let entry = audit(&a, Some(&ib), AuditAction::IntegrationUpdated, T0);
    let err = store
        .update_integration(&a, &ib.id, &patch, T0, &entry)
        .await;
    assert!(matches!(err, Err(StoreError::NotFound)), "{err:?}");
    let err = store.delete_integration(&a, &ib.id, &entry).await;
    assert!(matches!(err, Err(StoreError::NotFound)), "{err:?}");
    let err = store
        .rotate_token(
            &a,
            &ib.id,
            &Token::generate().hash(),
            "abcd",
            None,
            T0,
            &entry,
        )
        .await;
    assert!(matches!(err, Err(StoreError::NotFound)), "{err:?}");
    assert_eq!(
        store
            .get_integration(&b, &ib.id, T0)
            .await
            .unwrap()
            .unwrap()
            .name,
        "Zapier"
    );
}

pub async fn edits_are_visible_to_the_next_token_lookup(store: &dyn Store) {
    let (loc, _) = new_location(store, "E").await;
    let (integration, token) =
        new_integration(store, &loc, &[Scope::ContactsRead, Scope::ContactsWrite]).await;
    let grant = store
        .token_grant(&token.hash())
        .await
        .unwrap()
        .expect("token known");
    assert_eq!(grant.location_id, loc);
    assert_eq!(grant.integration_id, integration.id);
    assert!(grant.allows(Scope::ContactsWrite));
    assert_eq!(grant.token_expires_at, None);

    let later = Timestamp(T0.0 + 5_000);
    let patch = IntegrationPatch {
        scopes: Some([Scope::ContactsRead].into_iter().collect()),
        description: Some(None),
        expires_at: Some(Some(Timestamp(T0.0 + 86_400_000))),
        ip_allowlist: Some(IpAllowlist::parse(["10.0.0.0/8"]).unwrap()),
        ..Default::default()
    };
    let entry = audit(
        &loc,
        Some(&integration),
        AuditAction::IntegrationUpdated,
        later,
    );
    let updated = store
        .update_integration(&loc, &integration.id, &patch, later, &entry)
        .await
        .unwrap();
    assert_eq!(updated.name, "Zapier");
    assert_eq!(updated.description, None);
    assert_eq!(updated.updated_at, later);
    assert_eq!(
        updated.token_hint, integration.token_hint,
        "an edit issues no new token"
    );
    let grant = store.token_grant(&token.hash()).await.unwrap().unwrap();
    assert!(grant.allows(Scope::ContactsRead));
    assert!(!grant.allows(Scope::ContactsWrite));
    assert_eq!(
        grant.integration_expires_at,
        Some(Timestamp(T0.0 + 86_400_000))
    );
    assert_eq!(
        grant.ip_allowlist,
        IpAllowlist::parse(["10.0.0.0/8"]).unwrap()
    );
    assert!(
        store
            .token_grant(&Token::generate().hash())
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn rotate_later_keeps_the_old_token_until_its_grace_ends(store: &dyn Store) {
    let (loc, _) = new_location(store, "R").await;
    let (integration, old) = new_integration(store, &loc, &[Scope::ContactsRead]).await;
    let new = Token::generate();
    let grace_end = T0.plus(WEEK);
    let entry = audit(
        &loc,
        Some(&integration),
        AuditAction::TokenRotatedExpireLater,
        T0,
    );
    let rotated = store
        .rotate_token(
            &loc,
            &integration.id,
            &new.hash(),
            &new.hint(),
            Some(grace_end),
            T0,
            &entry,
        )
        .await
        .unwrap();
    assert_eq!(rotated.token_hint, new.hint());
    let previous = rotated.previous_token.expect("old token in grace");
    assert_eq!(previous.token_hint, old.hint());
    assert_eq!(previous.expires_at, grace_end);
    let old_grant = store
        .token_grant(&old.hash())
        .await
        .unwrap()
        .expect("old token still known");
    assert_eq!(old_grant.token_expires_at, Some(grace_end));
    let new_grant = store
        .token_grant(&new.hash())
        .await
        .unwrap()
        .expect("new token known");
    assert_eq!(new_grant.token_expires_at, None);
    // After the grace, the integration no longer reports the old token, and purging removes it.
    let after = grace_end.plus(Duration::from_secs(1));
    let shown = store
        .get_integration(&loc, &integration.id, after)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shown.previous_token, None);
    assert!(store.purge_expired_tokens(after).await.unwrap() >= 1);
    assert!(store.token_grant(&old.hash()).await.unwrap().is_none());
    assert!(store.token_grant(&new.hash()).await.unwrap().is_some());
}

pub async fn rotate_now_ends_the_old_token_at_once(store: &dyn Store) {
    let (loc, _) = new_location(store, "N").await;
    let (integration, old) = new_integration(store, &loc, &[Scope::ContactsRead]).await;
    let new = Token::generate();
    let entry = audit(
        &loc,
        Some(&integration),
        AuditAction::TokenRotatedExpireNow,
        T0,
    );
    let rotated = store
        .rotate_token(
            &loc,
            &integration.id,
            &new.hash(),
            &new.hint(),
            None,
            T0,
            &entry,
        )
        .await
        .unwrap();
    assert_eq!(rotated.previous_token, None);
    assert!(store.token_grant(&old.hash()).await.unwrap().is_none());
    assert!(store.token_grant(&new.hash()).await.unwrap().is_some());
}

pub async fn a_second_rotation_ends_the_token_still_in_grace(store: &dyn Store) {
    let (loc, _) = new_location(store, "2R").await;
    let (integration, first) = new_integration(store, &loc, &[Scope::ContactsRead]).await;
    let second = Token::generate();
    let third = Token::generate();
    let entry = audit(
        &loc,
        Some(&integration),
        AuditAction::TokenRotatedExpireLater,
        T0,
    );
    let grace = Some(T0.plus(WEEK));
    store
        .rotate_token(
            &loc,
            &integration.id,
            &second.hash(),
            &second.hint(),
            grace,
            T0,
            &entry,
        )
        .await
        .unwrap();
    let rotated = store
        .rotate_token(
            &loc,
            &integration.id,
            &third.hash(),
            &third.hint(),
            grace,
            T0,
            &entry,
        )
        .await
        .unwrap();
    assert!(
        store.token_grant(&first.hash()).await.unwrap().is_none(),
        "oldest token ends at once"
    );
    assert!(store.token_grant(&second.hash()).await.unwrap().is_some());
    assert!(store.token_grant(&third.hash()).await.unwrap().is_some());
    assert_eq!(rotated.previous_token.unwrap().token_hint, second.hint());
}

pub async fn expiring_the_old_token_early_removes_it(store: &dyn Store) {
    let (loc, _) = new_location(store, "X").await;
    let (integration, old) = new_integration(store, &loc, &[Scope::ContactsRead]).await;
    let entry = audit(&loc, Some(&integration), AuditAction::OldTokenExpired, T0);
    let none = store
        .expire_previous_token(&loc, &integration.id, T0, &entry)
        .await;
    assert!(
        matches!(none, Err(StoreError::NotFound)),
        "no token in grace: {none:?}"
    );
    let new = Token::generate();
    let grace = Some(T0.plus(WEEK));
    store
        .rotate_token(
            &loc,
            &integration.id,
            &new.hash(),
            &new.hint(),
            grace,
            T0,
            &entry,
        )
        .await
        .unwrap();
    let after = store
        .expire_previous_token(&loc, &integration.id, T0, &entry)
        .await
        .unwrap();
    assert_eq!(after.previous_token, None);
    assert!(store.token_grant(&old.hash()).await.unwrap().is_none());
    assert!(store.token_grant(&new.hash()).await.unwrap().is_some());
}

pub async fn delete_removes_the_integration_and_its_tokens(store: &dyn Store) {
    let (loc, _) = new_location(store, "D").await;
    let (integration, old) = new_integration(store, &loc, &[Scope::ContactsRead]).await;
    let new = Token::generate();
    let entry = audit(
        &loc,
        Some(&integration),
        AuditAction::IntegrationDeleted,
        T0,
    );
    let grace = Some(T0.plus(WEEK));
    store
        .rotate_token(
            &loc,
            &integration.id,
            &new.hash(),
            &new.hint(),
            grace,
            T0,
            &entry,
        )
        .await
        .unwrap();
    store
        .delete_integration(&loc, &integration.id, &entry)
        .await
        .unwrap();
    assert!(store.token_grant(&old.hash()).await.unwrap().is_none());
    assert!(store.token_grant(&new.hash()).await.unwrap().is_none());
    assert!(
        store
            .get_integration(&loc, &integration.id, T0)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.list_integrations(&loc, T0).await.unwrap().is_empty());
    let again = store
        .delete_integration(&loc, &integration.id, &entry)
        .await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
    let log = store
        .audit_log(&loc, Some(&integration.id), 10)
        .await
        .unwrap();
    assert_eq!(
        log[0].action,
        AuditAction::IntegrationDeleted,
        "the audit trail outlives the integration"
    );
}

pub async fn audit_log_is_newest_first_and_filterable(store: &dyn Store) {
    let (loc, _) = new_location(store, "L").await;
    let (one, _) = new_integration(store, &loc, &[Scope::ContactsRead]).await;
    let (two, _) = new_integration(store, &loc, &[Scope::ContactsRead]).await;
    let patch = IntegrationPatch {
        scopes: Some(ScopeSet::from_iter([Scope::UsersRead])),
        ..Default::default()
    };
    let at = Timestamp(T0.0 + 10);
    let mut entry = audit(&loc, Some(&one), AuditAction::IntegrationUpdated, at);
    entry.detail = "scopes: users.readonly".into();
    store
        .update_integration(&loc, &one.id, &patch, at, &entry)
        .await
        .unwrap();
    let all = store.audit_log(&loc, None, 10).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0], entry);
    let only_two = store.audit_log(&loc, Some(&two.id), 10).await.unwrap();
    assert_eq!(only_two.len(), 1);
    assert_eq!(only_two[0].action, AuditAction::IntegrationCreated);
    assert_eq!(store.audit_log(&loc, None, 1).await.unwrap().len(), 1);
    let (other, _) = new_location(store, "Other").await;
    assert!(
        store
            .audit_log(&other, Some(&one.id), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .audit_log(&loc, Some(&IntegrationId::generate()), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
