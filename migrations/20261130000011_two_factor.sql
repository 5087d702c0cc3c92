-- An optional second factor: a time-based one-time code (TOTP, RFC 6238)
-- from an authenticator app. The last accepted time step is kept so that a
-- code cannot be used twice.
alter table users
    add column totp_secret bytea check (totp_secret is null or length(totp_secret) >= 16),
    add column totp_last_step bigint;

-- A tenant may require the second factor of its secretariat.
alter table tenants add column require_two_factor boolean not null default false;
