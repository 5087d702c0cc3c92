-- Reporting rounds: each quarter, every NAP expects an update from the lead
-- partner of each of its open activities. The round opens some days before
-- the quarter ends and is due some days after (tenant settings); the
-- secretariat may give one partner more time, saying why.
alter table tenants
    add column round_opens_days integer not null default 14 check (round_opens_days between 0 and 90),
    add column round_due_days integer not null default 15 check (round_due_days between 0 and 90);

create table round_extensions (
    tenant_id bigint not null,
    id bigint generated always as identity,
    nap_id bigint not null,
    -- The round's quarter, as year * 4 + quarter - 1.
    quarter_index integer not null,
    partner_id bigint not null,
    due_on date not null,
    reason text not null check (length(trim(reason)) between 1 and 500),
    created_by bigint references users (id),
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, nap_id, quarter_index, partner_id),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade,
    foreign key (tenant_id, partner_id) references partners (tenant_id, id) on delete cascade
);

alter table round_extensions enable row level security;
alter table round_extensions force row level security;
create policy tenant_isolation on round_extensions using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
create trigger audit after insert or update or delete on round_extensions
    for each row execute function audit_row();
