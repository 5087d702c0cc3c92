-- Each partner's timeliness over a NAP's closed rounds, kept rather than
-- read on every dashboard: it changes only when a round closes (the clock
-- refreshes it), when a partner is given more time or when the round
-- settings change (those writes refresh it at once).
create table round_timeliness (
    tenant_id bigint not null,
    nap_id bigint not null,
    partner_id bigint not null,
    on_time integer not null check (on_time >= 0),
    expected integer not null check (expected >= on_time),
    primary key (tenant_id, nap_id, partner_id),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade,
    foreign key (tenant_id, partner_id) references partners (tenant_id, id) on delete cascade
);
alter table round_timeliness enable row level security;
alter table round_timeliness force row level security;
create policy tenant_isolation on round_timeliness using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());

-- When each NAP's rows were computed (a NAP without a row: never).
create table round_timeliness_runs (
    tenant_id bigint not null,
    nap_id bigint not null,
    computed_at timestamptz not null,
    primary key (tenant_id, nap_id),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade
);
alter table round_timeliness_runs enable row level security;
alter table round_timeliness_runs force row level security;
create policy tenant_isolation on round_timeliness_runs using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());

-- A round reads the updates posted since it opened: by when they were posted.
create index status_updates_posted_idx on status_updates (tenant_id, created_at);
