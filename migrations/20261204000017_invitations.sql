-- Accounts belong to their person. A secretariat never chooses or learns a
-- password: it invites, and the person chooses their own password (a new
-- account) or signs in and accepts (an existing one). Until then the
-- membership grants nothing.

-- No password yet: the person has not opened their invitation.
alter table users alter column password_hash drop not null;

-- A membership is pending until its person accepts it: inactive, and shown
-- under the name the secretariat typed, not the account's own (which would
-- tell one tenant who else has an account).
alter table memberships add column accepted_at timestamptz;
alter table memberships add column invited_name text;
update memberships set accepted_at = created_at;
alter table memberships add constraint memberships_accepted_before_active
    check (accepted_at is not null or not active);

-- Observers change nothing, ever: never a focal point.
update memberships set focal_point = false where role = 'observer';
alter table memberships add constraint memberships_observer_never_focal
    check (not (focal_point and role = 'observer'));

-- One-time links the secretariat passes on: an invitation to a tenant, or
-- a password reset. Each is tied to the membership it was issued through
-- and works only while that membership is pending (an invitation) or
-- active (a reset), so deactivating the membership ends its links.
create table account_links (
    tenant_id bigint not null references tenants (id) on delete cascade,
    id bigint generated always as identity,
    membership_id bigint not null,
    user_id bigint not null references users (id) on delete cascade,
    purpose text not null check (purpose in ('invitation', 'reset')),
    -- Only the SHA-256 of the token is stored.
    token_hash text not null unique,
    issued_by bigint not null references users (id),
    expires_at timestamptz not null,
    used_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, membership_id) references memberships (tenant_id, id) on delete cascade
);
create index account_links_membership_idx on account_links (tenant_id, membership_id);

-- Links still open when this migration runs keep working: a reset was only
-- ever issued for a person of one tenant.
insert into account_links (tenant_id, membership_id, user_id, purpose, token_hash, issued_by,
                           expires_at, used_at, created_at)
select m.tenant_id, m.id, r.user_id, 'reset', r.token_hash, r.issued_by, r.expires_at, r.used_at,
       r.created_at
from password_resets r
join memberships m on m.user_id = r.user_id
where r.used_at is null and r.expires_at > now();
drop table password_resets;

alter table account_links enable row level security;
alter table account_links force row level security;
create policy tenant_isolation on account_links
    using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
-- Whoever holds a link may read its row, before any tenant is known: the
-- token is the proof (app.link_token carries its hash for one transaction).
create policy by_token on account_links for select
    using (token_hash = nullif(current_setting('app.link_token', true), ''));

create trigger audit after insert or update or delete on account_links
    for each row execute function audit_row('token_hash');
