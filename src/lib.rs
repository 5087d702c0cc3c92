//! NAP Oversight: the web application and its command-line tools.
//!
//! `app(state)` builds the whole router so that tests drive exactly what
//! `serve` runs. See `docs/ARCHITECTURE.md` for the map.

// Translations are compiled into the binary from `locales/`.
rust_i18n::i18n!("locales", fallback = "en");

pub mod accounts;
pub mod app;
pub mod auth;
pub mod authz;
pub mod bench;
pub mod choices;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod demo_committees;
pub mod demo_knowledge;
pub mod demo_plan;
pub mod demo_reports;
pub mod error;
pub mod features;
pub mod http;
pub mod i18n;
pub mod mail;
pub mod password;
pub mod paths;
pub mod spreadsheet;
pub mod state;
pub mod tenancy;
pub mod text;

pub use app::app;
pub use state::AppState;
