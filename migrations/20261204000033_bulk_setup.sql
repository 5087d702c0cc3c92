-- Bulk set-up: partners, committees with their members, and indicators
-- imported from spreadsheets, and the other names a partner goes by.

-- A partner's other names and acronyms (a ministry known by its Malay and
-- its English acronym): the plan import and every partner field accept any
-- of them. One name names one partner in a tenant, whatever its case; that
-- it is no other partner's acronym or name is checked where it is typed.
create table partner_aliases (
    tenant_id bigint not null,
    id bigint generated always as identity,
    partner_id bigint not null,
    alias text not null check (length(trim(alias)) between 1 and 200 and alias = trim(alias)),
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, partner_id) references partners (tenant_id, id) on delete cascade
);
create unique index partner_aliases_any_case_key on partner_aliases (tenant_id, lower(alias));
create index partner_aliases_partner_idx on partner_aliases (tenant_id, partner_id);

alter table partner_aliases enable row level security;
alter table partner_aliases force row level security;
create policy tenant_isolation on partner_aliases using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
create trigger audit after insert or update or delete on partner_aliases
    for each row execute function audit_row();

-- The drafts of migration 16 keep the checked rows of every import, not
-- only the plan's: `kind` says which, and only the plan's and the
-- indicators' belong to a NAP.
alter table import_drafts add column kind text not null default 'plan'
    check (kind in ('plan', 'partners', 'committees', 'indicators'));
alter table import_drafts alter column nap_id drop not null;
alter table import_drafts add check ((nap_id is null) = (kind in ('partners', 'committees')));
drop index import_drafts_nap_idx;
create index import_drafts_user_idx on import_drafts (tenant_id, user_id, kind, nap_id);
