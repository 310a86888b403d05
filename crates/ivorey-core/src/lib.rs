//! Ivorey's domain: ids, the scope catalogue, the token format, the clock and the validated
//! records that the store and the HTTP layer exchange. Nothing here knows about HTTP or SQL.

pub mod access;
pub mod audit;
pub mod calendar;
pub mod changed_by;
pub mod clock;
pub mod contact;
pub mod contact_search;
pub mod contact_terms;
pub mod custom_field;
pub mod error;
pub mod form;
pub mod ids;
pub mod integration;
pub mod location;
pub mod opportunity;
pub mod order;
pub mod password;
pub mod payment;
pub mod random;
pub mod scope;
pub mod serde_util;
pub mod task;
pub mod token;
pub mod user;
pub mod wall_clock;

pub use clock::{Clock, ManualClock, SystemClock, Timestamp};
pub use error::{FieldError, ValidationErrors};
pub use ids::{ContactId, IntegrationId, LocationId, OpportunityId, PipelineId, StageId, UserId};
pub use scope::{Scope, ScopeSet};
pub use token::{Token, TokenHash};
pub mod conversation;
pub mod messaging;
