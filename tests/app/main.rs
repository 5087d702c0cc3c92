//! The application's integration tests: one binary, a fresh database per test.

mod common;
mod server;

mod audit;
mod auth;
mod bad_input;
mod bench;
mod bombs;
mod browser;
mod cli;
mod committees;
mod confidential;
mod confirmations;
mod csrf;
mod dashboard;
mod failure;
mod honest;
mod languages;
mod layers;
mod matrix;
mod meetings;
mod members;
mod ops;
mod plan;
mod portal;
mod profile;
mod progress;
mod register;
mod schedule;
mod tallies;
mod tenancy;
mod transfer;
mod two_factor;
mod unknowns;
mod words;
mod xss;
