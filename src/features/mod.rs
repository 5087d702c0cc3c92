//! One module per area of the product; each exposes its own router.

pub mod activity;
pub mod audit;
pub mod committees;
pub mod communication;
pub mod confidential;
pub mod documents;
pub mod handover;
pub mod help;
pub mod home;
pub mod members;
pub mod newsletters;
pub mod notifications;
pub mod partners;
pub mod plan;
pub mod profile;
pub mod progress;
pub mod public;
pub mod reports;
pub mod search;
pub mod settings;
pub mod setup;

use crate::http::routes::Routes;

/// Everything under `/t/{slug}/`. Every handler here takes a `TenantCtx`,
/// which requires a signed-in member of that tenant (404 otherwise).
pub fn tenant_router() -> Routes {
    Routes::new()
        .merge(home::tenant_router())
        .merge(members::router())
        .merge(plan::router())
        .merge(activity::router())
        .merge(partners::router())
        .merge(progress::router())
        .merge(committees::router())
        .merge(handover::router())
        .merge(audit::router())
        .merge(confidential::router())
        .merge(settings::router())
        .merge(setup::router())
        .merge(notifications::tenant_router())
        .merge(reports::router())
        .merge(documents::router())
        .merge(search::router())
        .merge(communication::router())
        .merge(newsletters::router())
}
