-- The audit log: every change to a tenant's data, who made it, when, in
-- which request, and the row before and after. Append-only for the
-- application: it may add rows, never change or remove them.

create table audit_log (
    tenant_id bigint not null,
    id bigint generated always as identity,
    at timestamptz not null default now(),
    -- The signed-in person (app.user_id); null for the operator's CLI and the demo loader.
    actor bigint,
    request_id text not null default '',
    action text not null check (action in ('insert', 'update', 'delete')),
    object_type text not null,
    object_id bigint,
    before jsonb,
    after jsonb,
    primary key (tenant_id, id)
);
create index audit_log_at_idx on audit_log (tenant_id, at desc, id desc);

revoke update, delete, truncate on audit_log from nap_app;

alter table audit_log enable row level security;
alter table audit_log force row level security;
create policy tenant_isolation on audit_log
    using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());

create function audit_row() returns trigger
    language plpgsql
    as $$
declare
    row_before jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end;
    row_after jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end;
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

do $$
declare
    t text;
begin
    foreach t in array array['memberships', 'partners', 'naps', 'objectives', 'outcomes', 'activities',
                             'activity_partners', 'time_targets', 'status_updates', 'indicators',
                             'indicator_values', 'risks', 'comments', 'committees', 'committee_naps',
                             'committee_members', 'tor_versions', 'meetings', 'attendance', 'decisions',
                             'action_points', 'handovers'] loop
        execute format('create trigger audit after insert or update or delete on %I
                        for each row execute function audit_row()', t);
    end loop;
end
$$;
-- A tenant's own settings change by update only; creating a tenant is the operator's.
create trigger audit after update on tenants for each row execute function audit_row();
