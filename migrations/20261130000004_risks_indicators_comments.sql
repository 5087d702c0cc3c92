-- Risks, indicators on outcomes, and comments on activities.

alter table tenants
    -- Published NAP pages also show spending when the tenant chooses so.
    add column publish_spending boolean not null default false;

create table risks (
    tenant_id bigint not null,
    id bigint generated always as identity,
    nap_id bigint not null,
    challenge text not null check (length(trim(challenge)) between 1 and 1000),
    likelihood smallint not null check (likelihood between 1 and 5),
    impact smallint not null check (impact between 1 and 5),
    mitigation text not null default '',
    owner_partner_id bigint,
    state text not null default 'open' check (state in ('open', 'mitigating', 'closed')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade,
    foreign key (tenant_id, owner_partner_id) references partners (tenant_id, id)
);
create index risks_nap_idx on risks (tenant_id, nap_id);
create trigger risks_updated_at before update on risks
    for each row execute function set_updated_at();

create table indicators (
    tenant_id bigint not null,
    id bigint generated always as identity,
    outcome_id bigint not null,
    name text not null check (length(trim(name)) between 1 and 500),
    unit text not null default '',
    baseline double precision not null default 0,
    target double precision not null,
    responsible_partner_id bigint,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, outcome_id) references outcomes (tenant_id, id) on delete cascade,
    foreign key (tenant_id, responsible_partner_id) references partners (tenant_id, id)
);
create index indicators_outcome_idx on indicators (tenant_id, outcome_id);
create trigger indicators_updated_at before update on indicators
    for each row execute function set_updated_at();

-- A measured value for a year (quarter null) or one quarter of it.
create table indicator_values (
    tenant_id bigint not null,
    id bigint generated always as identity,
    indicator_id bigint not null,
    year integer not null check (year between 1990 and 2100),
    quarter smallint check (quarter between 1 and 4),
    value double precision not null,
    entered_by bigint not null references users (id),
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique nulls not distinct (tenant_id, indicator_id, year, quarter),
    foreign key (tenant_id, indicator_id) references indicators (tenant_id, id) on delete cascade
);

create table comments (
    tenant_id bigint not null,
    id bigint generated always as identity,
    activity_id bigint not null,
    author_id bigint not null references users (id),
    body text not null check (length(trim(body)) between 1 and 5000),
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, activity_id) references activities (tenant_id, id) on delete cascade
);
create index comments_activity_idx on comments (tenant_id, activity_id, created_at);

do $$
declare
    t text;
begin
    foreach t in array array['risks', 'indicators', 'indicator_values', 'comments'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id())
                        with check (tenant_id = app_tenant_id())', t);
    end loop;
end
$$;
