-- Foundation: tenants, people, memberships, partners, sessions and sign-in throttling.
--
-- Rules for every tenant table (see docs/ARCHITECTURE.md):
--   * tenant_id not null, primary key (tenant_id, id);
--   * foreign and unique keys include tenant_id, so two tenants' rows can never
--     point at each other and the schema can later be distributed by tenant;
--   * row-level security enabled and forced, with a policy on app_tenant_id().

-- The role the application works as. It owns nothing, is not superuser and
-- cannot bypass row-level security. Roles are cluster-wide, so several
-- databases (and tests running at once) may race to create it.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'nap_app') then
        create role nap_app nologin nosuperuser nobypassrls nocreatedb nocreaterole;
    end if;
exception
    when duplicate_object or unique_violation then null;
end
$$;

grant usage on schema public to nap_app;
alter default privileges in schema public grant select, insert, update, delete on tables to nap_app;
alter default privileges in schema public grant usage, select on sequences to nap_app;

-- Per-transaction settings that carry the tenant and user into the policies.
-- Unset (or empty) means "no tenant": every policy then matches no row.
create function app_tenant_id() returns bigint
    language sql stable
    as $$ select nullif(current_setting('app.tenant_id', true), '')::bigint $$;

create function app_user_id() returns bigint
    language sql stable
    as $$ select nullif(current_setting('app.user_id', true), '')::bigint $$;

create function set_updated_at() returns trigger
    language plpgsql
    as $$
begin
    new.updated_at := now();
    return new;
end
$$;

create table tenants (
    id bigint generated always as identity primary key,
    slug text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$'),
    name text not null check (length(trim(name)) between 1 and 200),
    country text not null default '',
    default_language text not null default 'en',
    public_portal boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create trigger tenants_updated_at before update on tenants
    for each row execute function set_updated_at();

create table users (
    id bigint generated always as identity primary key,
    email text not null check (email = lower(email) and email like '%_@_%'),
    name text not null check (length(trim(name)) between 1 and 200),
    password_hash text not null,
    active boolean not null default true,
    language text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index users_email_key on users (email);
create trigger users_updated_at before update on users
    for each row execute function set_updated_at();

create table partners (
    tenant_id bigint not null references tenants (id) on delete cascade,
    id bigint generated always as identity,
    acronym text not null check (acronym ~ '^[A-Za-z0-9][A-Za-z0-9.&''_-]{0,19}$'),
    name text not null check (length(trim(name)) between 1 and 200),
    kind text not null check (kind in (
        'ministry', 'workers', 'employers', 'law-enforcement', 'labour-inspection', 'immigration',
        'human-rights-institution', 'national-rapporteur', 'civil-society', 'affected-communities',
        'research', 'media', 'international', 'other')),
    -- For ministries: which portfolio, so the composition check can find Labour, Justice, Interior.
    portfolio text check (portfolio in ('labour', 'justice', 'interior', 'gender', 'education', 'economy', 'other')),
    level text not null default 'national' check (level in ('national', 'regional', 'local')),
    -- Which side of tripartite dialogue the partner speaks for.
    constituency text not null default 'other' check (constituency in ('government', 'workers', 'employers', 'other')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, acronym),
    check (portfolio is null or kind = 'ministry')
);
create trigger partners_updated_at before update on partners
    for each row execute function set_updated_at();

create table memberships (
    tenant_id bigint not null references tenants (id) on delete cascade,
    id bigint generated always as identity,
    user_id bigint not null references users (id) on delete cascade,
    role text not null check (role in ('secretariat', 'ministry', 'social-partner', 'observer')),
    partner_id bigint,
    focal_point boolean not null default false,
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, user_id),
    foreign key (tenant_id, partner_id) references partners (tenant_id, id),
    -- A focal point speaks for an organisation, so it needs one.
    check (not focal_point or partner_id is not null)
);
-- The one index that does not lead with tenant_id: "which tenants am I in?"
-- is asked before any tenant is known.
create index memberships_user_idx on memberships (user_id);
create trigger memberships_updated_at before update on memberships
    for each row execute function set_updated_at();

alter table partners enable row level security;
alter table partners force row level security;
create policy tenant_isolation on partners
    using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());

alter table memberships enable row level security;
alter table memberships force row level security;
create policy tenant_isolation on memberships
    using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
-- Before any tenant is chosen (the home page), a signed-in person may list
-- their own memberships across tenants. It only reads, and never applies
-- inside a tenant's transaction, where that tenant's rows are all there is.
create policy own_memberships on memberships for select
    using (app_tenant_id() is null and user_id = app_user_id());

-- Browser sessions. The user id is a column of its own so that signing out
-- everywhere (deactivation, password change) is one delete.
create table sessions (
    id text primary key,
    user_id bigint references users (id) on delete cascade,
    data jsonb not null,
    expires_at timestamptz not null
);
create index sessions_user_idx on sessions (user_id) where user_id is not null;
create index sessions_expires_idx on sessions (expires_at);

-- Failed sign-ins, counted per account and per client address.
create table login_failures (
    id bigint generated always as identity primary key,
    key text not null,
    failed_at timestamptz not null default now()
);
create index login_failures_key_idx on login_failures (key, failed_at);
