-- Meetings: agenda, attendance, minutes, numbered decisions, action points.

-- The share of voting members that must be present for a quorum, part of
-- the terms of reference (and so frozen with each published version).
alter table tor_versions
    add column quorum_percent smallint not null default 50 check (quorum_percent between 1 and 100);

create table meetings (
    tenant_id bigint not null,
    id bigint generated always as identity,
    committee_id bigint not null,
    starts_at timestamptz not null,
    place text not null default '',
    link text not null default '',
    agenda text not null default '',
    minutes text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, committee_id) references committees (tenant_id, id) on delete cascade
);
create index meetings_committee_idx on meetings (tenant_id, committee_id, starts_at);
create trigger meetings_updated_at before update on meetings
    for each row execute function set_updated_at();

create table attendance (
    tenant_id bigint not null,
    meeting_id bigint not null,
    member_id bigint not null,
    presence text not null check (presence in ('present', 'apologies', 'absent')),
    primary key (tenant_id, meeting_id, member_id),
    foreign key (tenant_id, meeting_id) references meetings (tenant_id, id) on delete cascade,
    foreign key (tenant_id, member_id) references committee_members (tenant_id, id) on delete cascade
);

-- Decisions are numbered per committee: decision 12 is the twelfth it took.
create table decisions (
    tenant_id bigint not null,
    id bigint generated always as identity,
    committee_id bigint not null,
    meeting_id bigint not null,
    number integer not null check (number > 0),
    text text not null check (length(trim(text)) between 1 and 5000),
    primary key (tenant_id, id),
    unique (tenant_id, committee_id, number),
    foreign key (tenant_id, meeting_id) references meetings (tenant_id, id) on delete cascade,
    foreign key (tenant_id, committee_id) references committees (tenant_id, id) on delete cascade
);

create table action_points (
    tenant_id bigint not null,
    id bigint generated always as identity,
    meeting_id bigint not null,
    text text not null check (length(trim(text)) between 1 and 2000),
    owner_partner_id bigint,
    due_on date,
    activity_id bigint,
    done_on date,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, meeting_id) references meetings (tenant_id, id) on delete cascade,
    foreign key (tenant_id, owner_partner_id) references partners (tenant_id, id),
    foreign key (tenant_id, activity_id) references activities (tenant_id, id) on delete set null (activity_id)
);
create index action_points_open_idx on action_points (tenant_id, owner_partner_id) where done_on is null;
create index action_points_activity_idx on action_points (tenant_id, activity_id) where activity_id is not null;

do $$
declare
    t text;
begin
    foreach t in array array['meetings', 'attendance', 'decisions', 'action_points'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id())
                        with check (tenant_id = app_tenant_id())', t);
    end loop;
end
$$;
