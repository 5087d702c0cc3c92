-- Confidential records: notes and files about victims (a referral, say)
-- attached to an activity. Only the members of the group a record is
-- assigned to can read it; a restrictive policy enforces that below the
-- handlers. Everyone else sees an anonymised count per activity.

create table confidential_groups (
    tenant_id bigint not null references tenants (id) on delete cascade,
    id bigint generated always as identity,
    name text not null check (length(trim(name)) between 1 and 200),
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, name)
);

-- Who belongs to a group. Leaving the tenant ends it.
create table confidential_group_members (
    tenant_id bigint not null,
    id bigint generated always as identity,
    group_id bigint not null,
    user_id bigint not null,
    added_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, group_id, user_id),
    foreign key (tenant_id, group_id) references confidential_groups (tenant_id, id) on delete cascade,
    foreign key (tenant_id, user_id) references memberships (tenant_id, user_id) on delete cascade
);

create table confidential_records (
    tenant_id bigint not null,
    id bigint generated always as identity,
    activity_id bigint not null,
    group_id bigint not null,
    kind text not null check (kind in ('referral', 'note')),
    title text not null check (length(trim(title)) between 1 and 200),
    body text not null default '' check (length(body) <= 20000),
    file_name text check (length(file_name) between 1 and 200),
    file_type text,
    file_data bytea,
    created_by bigint not null references users (id),
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    check ((file_name is null) = (file_data is null)),
    -- No cascade: an activity that holds records is refused deletion, so
    -- nobody outside the group can destroy them unseen.
    foreign key (tenant_id, activity_id) references activities (tenant_id, id),
    foreign key (tenant_id, group_id) references confidential_groups (tenant_id, id)
);
create index confidential_records_activity_idx on confidential_records (tenant_id, activity_id, created_at);
-- Records are written once and removed whole, never edited.
revoke update on confidential_records from nap_app;

-- The only figure others see: records per activity, kept by trigger.
create table confidential_counts (
    tenant_id bigint not null,
    activity_id bigint not null,
    records integer not null check (records >= 0),
    primary key (tenant_id, activity_id),
    foreign key (tenant_id, activity_id) references activities (tenant_id, id) on delete cascade
);

create function count_confidential() returns trigger
    language plpgsql
    as $$
begin
    if tg_op = 'INSERT' then
        insert into confidential_counts (tenant_id, activity_id, records)
        values (new.tenant_id, new.activity_id, 1)
        on conflict (tenant_id, activity_id) do update set records = confidential_counts.records + 1;
    else
        update confidential_counts set records = records - 1
        where tenant_id = old.tenant_id and activity_id = old.activity_id;
    end if;
    return null;
end
$$;
create trigger count_confidential after insert or delete on confidential_records
    for each row execute function count_confidential();

do $$
declare
    t text;
begin
    foreach t in array array['confidential_groups', 'confidential_group_members', 'confidential_records',
                             'confidential_counts'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id())
                        with check (tenant_id = app_tenant_id())', t);
    end loop;
end
$$;

-- The wall itself: a record is visible, insertable and deletable only by an
-- active, non-observer member of its group. Restrictive, so it narrows the
-- tenant policy rather than widening it.
create function app_keeps_confidential(tenant bigint, grp bigint) returns boolean
    language sql stable
    as $$
    select exists (select 1 from confidential_group_members g
                   join memberships m on m.tenant_id = g.tenant_id and m.user_id = g.user_id
                   where g.tenant_id = tenant and g.group_id = grp and g.user_id = app_user_id()
                     and m.active and m.role <> 'observer')
    $$;
create policy assigned_group_only on confidential_records as restrictive
    using (app_keeps_confidential(tenant_id, group_id))
    with check (app_keeps_confidential(tenant_id, group_id));

-- The audit log keeps reads of confidential records too.
alter table audit_log drop constraint audit_log_action_check;
alter table audit_log add constraint audit_log_action_check
    check (action in ('insert', 'update', 'delete', 'read'));

-- The audit trigger may be told which columns never to copy into the log:
-- its arguments name them.
create or replace function audit_row() returns trigger
    language plpgsql
    as $$
declare
    row_before jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) - coalesce(tg_argv, '{}') end;
    row_after jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) - coalesce(tg_argv, '{}') end;
    tenant bigint;
begin
    -- An update that changes nothing but its timestamp is not a change.
    if tg_op = 'UPDATE' and (row_before - 'updated_at') = (row_after - 'updated_at') then
        return null;
    end if;
    tenant := coalesce((row_after ->> 'tenant_id')::bigint, (row_before ->> 'tenant_id')::bigint);
    if tg_table_name = 'tenants' then
        tenant := (row_after ->> 'id')::bigint;
    end if;
    insert into audit_log (tenant_id, actor, request_id, action, object_type, object_id, before, after)
    values (tenant, app_user_id(), coalesce(current_setting('app.request_id', true), ''), lower(tg_op),
            tg_table_name, coalesce((row_after ->> 'id')::bigint, (row_before ->> 'id')::bigint),
            row_before, row_after);
    return null;
end
$$;

create trigger audit after insert or update or delete on confidential_groups
    for each row execute function audit_row();
create trigger audit after insert or update or delete on confidential_group_members
    for each row execute function audit_row();
-- What a record says never reaches the log: only that it was added or removed, where, by whom.
create trigger audit after insert or delete on confidential_records
    for each row execute function audit_row('title', 'body', 'file_name', 'file_type', 'file_data');
