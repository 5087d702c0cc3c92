-- A checked spreadsheet waiting for its "Import" button. The rows stay here
-- between the preview and the confirmation instead of travelling to the
-- browser and back: a plan of 5,000 activities is several megabytes, and the
-- confirmation then cannot carry rows other than those that were checked.
create table import_drafts (
    tenant_id bigint not null references tenants (id) on delete cascade,
    id bigint generated always as identity,
    nap_id bigint not null,
    user_id bigint not null references users (id) on delete cascade,
    rows jsonb not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade
);
create index import_drafts_nap_idx on import_drafts (tenant_id, nap_id, user_id);

alter table import_drafts enable row level security;
alter table import_drafts force row level security;
create policy tenant_isolation on import_drafts using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
