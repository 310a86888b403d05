//! Builders shared by the conformance cases.

use ivorey_core::audit::{AuditAction, AuditEvent};
use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::integration::{Integration, IpAllowlist};
use ivorey_core::location::{BusinessProfile, Location};
use ivorey_core::{
    ContactId, IntegrationId, LocationId, Scope, ScopeSet, Timestamp, Token, UserId,
};

use crate::{AdminAccount, NewUser, Store};

/// A fixed "now" for the suite; cases move time by adding to it.
pub const T0: Timestamp = Timestamp(1_750_000_000_000);

/// A new location with a new admin; returns both ids.
pub async fn new_location(store: &dyn Store, name: &str) -> (LocationId, UserId) {
    let admin = NewUser {
        id: UserId::generate(),
        email: format!(
            "{}@example.com",
            ivorey_core::random::base62(12).to_lowercase()
        ),
        name: "Admin".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into(),
        created_at: T0,
    };
    let location = Location {
        id: LocationId::generate(),
        profile: BusinessProfile {
            name: name.into(),
            ..Default::default()
        },
        created_at: T0,
    };
    store
        .create_location(&location, &AdminAccount::New(admin.clone()))
        .await
        .expect("create location");
    (location.id, admin.id)
}

/// An audit entry for `action` on `integration`.
pub fn audit(
    location: &LocationId,
    integration: Option<&Integration>,
    action: AuditAction,
    at: Timestamp,
) -> AuditEvent {
    AuditEvent {
        location_id: location.clone(),
        integration_id: integration.map(|i| i.id.clone()),
        integration_name: integration.map(|i| i.name.clone()),
        actor: "admin@example.com".into(),
        actor_user_id: None,
        action,
        detail: String::new(),
        ip: Some("127.0.0.1".into()),
        at,
    }
}

/// A new integration with `scopes`; returns it and its token.
pub async fn new_integration(
    store: &dyn Store,
    location: &LocationId,
    scopes: &[Scope],
) -> (Integration, Token) {
    let token = Token::generate();
    let integration = Integration {
        id: IntegrationId::generate(),
        location_id: location.clone(),
        name: "Zapier".into(),
        description: Some("Syncs leads".into()),
        scopes: scopes.iter().copied().collect::<ScopeSet>(),
        created_by: "admin@example.com".into(),
        created_at: T0,
        updated_at: T0,
        last_used_at: None,
        token_hint: token.hint(),
        token_created_at: T0,
        previous_token: None,
        expires_at: None,
        ip_allowlist: IpAllowlist::default(),
    };
    let entry = audit(
        location,
        Some(&integration),
        AuditAction::IntegrationCreated,
        T0,
    );
    store
        .create_integration(&integration, &token.hash(), &entry)
        .await
        .expect("create integration");
    (integration, token)
}

/// A contact named `first_name` in `location`, stored; its id.
pub async fn new_contact(store: &dyn Store, location: &LocationId, first_name: &str) -> ContactId {
    let contact = Contact {
        id: ContactId::generate(),
        location_id: location.clone(),
        fields: ContactFields {
            first_name: Some(first_name.into()),
            ..Default::default()
        },
        date_added: T0,
        date_updated: T0,
        created_by: None,
        updated_by: None,
    };
    store
        .insert_contact(&contact)
        .await
        .expect("insert contact");
    contact.id
}
