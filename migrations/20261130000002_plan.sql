-- The implementation plan: NAPs, objectives, outcomes, activities, their
-- partners and quarterly time targets. Quarters are stored as one integer,
-- year * 4 + (quarter - 1), so ranges and comparisons are plain arithmetic.

create table naps (
    tenant_id bigint not null references tenants (id) on delete cascade,
    id bigint generated always as identity,
    title text not null check (length(trim(title)) between 1 and 300),
    theme text not null check (theme in ('forced-labour', 'child-labour', 'trafficking', 'other')),
    start_year integer not null check (start_year between 1990 and 2100),
    end_year integer not null,
    status text not null default 'draft' check (status in ('draft', 'adopted', 'closed')),
    summary text not null default '',
    sdg_targets text not null default '',
    national_alignment text not null default '',
    published boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    check (end_year between start_year and start_year + 20)
);
create trigger naps_updated_at before update on naps
    for each row execute function set_updated_at();

create table objectives (
    tenant_id bigint not null,
    id bigint generated always as identity,
    nap_id bigint not null,
    code text not null check (code ~ '^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$'),
    title text not null check (length(trim(title)) between 1 and 500),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, nap_id, code),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade
);
create trigger objectives_updated_at before update on objectives
    for each row execute function set_updated_at();

create table outcomes (
    tenant_id bigint not null,
    id bigint generated always as identity,
    nap_id bigint not null,
    objective_id bigint not null,
    code text not null check (code ~ '^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$'),
    title text not null check (length(trim(title)) between 1 and 500),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, nap_id, code),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade,
    foreign key (tenant_id, objective_id) references objectives (tenant_id, id) on delete cascade
);
create index outcomes_objective_idx on outcomes (tenant_id, objective_id);
create trigger outcomes_updated_at before update on outcomes
    for each row execute function set_updated_at();

create table activities (
    tenant_id bigint not null,
    id bigint generated always as identity,
    nap_id bigint not null,
    outcome_id bigint not null,
    code text not null check (code ~ '^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$'),
    title text not null check (length(trim(title)) between 1 and 500),
    description text not null default '',
    lead_partner_id bigint,
    -- Null: the NAP's whole period.
    start_quarter integer,
    end_quarter integer,
    level text not null default 'national' check (level in ('national', 'regional', 'local')),
    place text not null default '',
    -- Whole units of `currency`.
    budget bigint check (budget >= 0),
    currency text not null default '' check (currency ~ '^([A-Z]{3})?$'),
    status text not null default 'not-started'
        check (status in ('not-started', 'on-track', 'delayed', 'completed', 'cancelled')),
    progress smallint not null default 0 check (progress between 0 and 100),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, nap_id, code),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade,
    foreign key (tenant_id, outcome_id) references outcomes (tenant_id, id) on delete cascade,
    foreign key (tenant_id, lead_partner_id) references partners (tenant_id, id),
    check (start_quarter is null or end_quarter is null or start_quarter <= end_quarter)
);
create index activities_outcome_idx on activities (tenant_id, outcome_id);
create index activities_lead_idx on activities (tenant_id, lead_partner_id);
create trigger activities_updated_at before update on activities
    for each row execute function set_updated_at();

create table activity_partners (
    tenant_id bigint not null,
    activity_id bigint not null,
    partner_id bigint not null,
    primary key (tenant_id, activity_id, partner_id),
    foreign key (tenant_id, activity_id) references activities (tenant_id, id) on delete cascade,
    foreign key (tenant_id, partner_id) references partners (tenant_id, id)
);
create index activity_partners_partner_idx on activity_partners (tenant_id, partner_id);

-- A time target: one quarter of one year, or (year null) that quarter every year.
create table time_targets (
    tenant_id bigint not null,
    id bigint generated always as identity,
    activity_id bigint not null,
    year integer check (year between 1990 and 2100),
    quarter smallint not null check (quarter between 1 and 4),
    primary key (tenant_id, id),
    unique nulls not distinct (tenant_id, activity_id, year, quarter),
    foreign key (tenant_id, activity_id) references activities (tenant_id, id) on delete cascade
);

-- Each quarter a target falls in, expanded over the period when the target
-- or the period changes. Met, missed or pending is read from met_at and the date.
create table target_occurrences (
    tenant_id bigint not null,
    id bigint generated always as identity,
    target_id bigint not null,
    activity_id bigint not null,
    quarter_index integer not null,
    met_at timestamptz,
    primary key (tenant_id, id),
    unique (tenant_id, target_id, quarter_index),
    foreign key (tenant_id, target_id) references time_targets (tenant_id, id) on delete cascade,
    foreign key (tenant_id, activity_id) references activities (tenant_id, id) on delete cascade
);
create index target_occurrences_activity_idx on target_occurrences (tenant_id, activity_id, quarter_index);

do $$
declare
    t text;
begin
    foreach t in array array['naps', 'objectives', 'outcomes', 'activities', 'activity_partners',
                             'time_targets', 'target_occurrences'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id())
                        with check (tenant_id = app_tenant_id())', t);
    end loop;
end
$$;
