-- Progress: status updates (history, never edited), the targets they meet,
-- and the activity's current figures kept up to date on write.

alter table tenants
    -- Updates from partners wait for the secretariat before they count.
    add column review_updates boolean not null default false,
    -- An activity with no update for this many days is "stale" on the dashboard.
    add column stale_days integer not null default 90 check (stale_days between 1 and 3650);

alter table activities
    -- Bumped by every update posted, so a form based on an older version is refused.
    add column version integer not null default 0,
    -- Whole units of the activity's currency, from the latest counted update.
    add column spending bigint check (spending >= 0),
    add column last_update_at timestamptz;

create table status_updates (
    tenant_id bigint not null,
    id bigint generated always as identity,
    activity_id bigint not null,
    author_id bigint not null references users (id),
    -- The organisation the author reported for (null for the secretariat).
    partner_id bigint,
    status text not null
        check (status in ('not-started', 'on-track', 'delayed', 'completed', 'cancelled')),
    progress smallint not null check (progress between 0 and 100),
    note text not null default '',
    spending bigint check (spending >= 0),
    evidence text[] not null default '{}',
    based_on_version integer not null,
    review_state text not null default 'accepted' check (review_state in ('pending', 'accepted', 'returned')),
    review_comment text not null default '',
    reviewed_by bigint references users (id),
    reviewed_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    -- History stays: an activity with updates cannot be deleted.
    foreign key (tenant_id, activity_id) references activities (tenant_id, id),
    foreign key (tenant_id, partner_id) references partners (tenant_id, id)
);
create index status_updates_activity_idx on status_updates (tenant_id, activity_id, created_at desc);
create index status_updates_pending_idx on status_updates (tenant_id, review_state) where review_state = 'pending';

-- Which target occurrences an update says it meets.
create table update_targets (
    tenant_id bigint not null,
    update_id bigint not null,
    occurrence_id bigint not null,
    primary key (tenant_id, update_id, occurrence_id),
    foreign key (tenant_id, update_id) references status_updates (tenant_id, id) on delete cascade,
    foreign key (tenant_id, occurrence_id) references target_occurrences (tenant_id, id) on delete cascade
);

-- Status updates are history: the application may add and review them,
-- never delete them.
revoke delete, truncate on status_updates from nap_app;

do $$
declare
    t text;
begin
    foreach t in array array['status_updates', 'update_targets'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id())
                        with check (tenant_id = app_tenant_id())', t);
    end loop;
end
$$;
