-- Committees, their members and their terms of reference.

create table committees (
    tenant_id bigint not null references tenants (id) on delete cascade,
    id bigint generated always as identity,
    name text not null check (length(trim(name)) between 1 and 300),
    kind text not null check (kind in ('oversight', 'coordination-national', 'coordination-local', 'sub-group')),
    parent_id bigint,
    -- The existing body it is nested in, if any (a human rights committee, say).
    nested_in text not null default '',
    permanent boolean not null default true,
    -- A time-limited sub-group ends on this date.
    end_date date,
    meeting_frequency text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, parent_id) references committees (tenant_id, id)
);
create trigger committees_updated_at before update on committees
    for each row execute function set_updated_at();

create table committee_naps (
    tenant_id bigint not null,
    committee_id bigint not null,
    nap_id bigint not null,
    primary key (tenant_id, committee_id, nap_id),
    foreign key (tenant_id, committee_id) references committees (tenant_id, id) on delete cascade,
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade
);

create table committee_members (
    tenant_id bigint not null,
    id bigint generated always as identity,
    committee_id bigint not null,
    name text not null check (length(trim(name)) between 1 and 200),
    user_id bigint references users (id),
    partner_id bigint,
    seat text not null check (seat in ('chair', 'vice-chair', 'member', 'alternate', 'observer', 'secretary')),
    gender text not null default 'not-stated' check (gender in ('woman', 'man', 'another', 'not-stated')),
    term_start date not null default current_date,
    term_end date,
    language text not null default '',
    interpretation text not null default '',
    -- The name appears on public pages only with the member's consent.
    public_name boolean not null default false,
    -- Past members stay in the history.
    left_on date,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, committee_id) references committees (tenant_id, id) on delete cascade,
    foreign key (tenant_id, partner_id) references partners (tenant_id, id),
    check (term_end is null or term_end >= term_start)
);
create index committee_members_committee_idx on committee_members (tenant_id, committee_id);
create trigger committee_members_updated_at before update on committee_members
    for each row execute function set_updated_at();

-- Terms of reference: one draft (version null) and numbered published
-- versions, which never change.
create table tor_versions (
    tenant_id bigint not null,
    id bigint generated always as identity,
    committee_id bigint not null,
    version integer check (version > 0),
    mandate text not null default '',
    purpose text not null default '',
    composition text not null default '',
    roles text not null default '',
    decision_making text not null default '',
    meeting_frequency text not null default '',
    reporting text not null default '',
    changes text not null default '',
    confidentiality text not null default '',
    published_at timestamptz,
    published_by bigint references users (id),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique nulls not distinct (tenant_id, committee_id, version),
    foreign key (tenant_id, committee_id) references committees (tenant_id, id) on delete cascade,
    check ((version is null) = (published_at is null))
);

-- A published version is frozen: only a draft may change, and only a draft
-- may be deleted.
create function tor_versions_frozen() returns trigger
    language plpgsql
    as $$
begin
    if old.version is not null then
        raise exception 'published terms of reference cannot change' using errcode = 'check_violation';
    end if;
    if tg_op = 'DELETE' then
        return old;
    end if;
    new.updated_at := now();
    return new;
end
$$;
create trigger tor_versions_frozen before update or delete on tor_versions
    for each row execute function tor_versions_frozen();

do $$
declare
    t text;
begin
    foreach t in array array['committees', 'committee_naps', 'committee_members', 'tor_versions'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id())
                        with check (tenant_id = app_tenant_id())', t);
    end loop;
end
$$;
