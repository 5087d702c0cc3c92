-- Hand-over notes: when someone leaves, what their successor should know.
create table handovers (
    tenant_id bigint not null references tenants (id) on delete cascade,
    id bigint generated always as identity,
    from_user bigint not null references users (id),
    to_user bigint not null references users (id),
    note text not null default '',
    created_by bigint not null references users (id),
    created_at timestamptz not null default now(),
    -- When the successor marked it as read.
    read_at timestamptz,
    primary key (tenant_id, id)
);
create index handovers_to_idx on handovers (tenant_id, to_user) where read_at is null;

alter table handovers enable row level security;
alter table handovers force row level security;
create policy tenant_isolation on handovers
    using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());

-- A sub-group may work on one outcome of a NAP.
alter table committees add column outcome_id bigint;
alter table committees add constraint committees_outcome_fkey
    foreign key (tenant_id, outcome_id) references outcomes (tenant_id, id) on delete set null (outcome_id);
