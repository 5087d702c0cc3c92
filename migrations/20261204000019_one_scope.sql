-- One way to scope a transaction to a tenant: every path (signed-in and
-- public pages, the CLI, the demo loader, the tests) ends in
-- app_set_scope, which sets what the row-level policies read.
create function app_set_scope(tenant bigint, person bigint, request text) returns void
    language sql volatile
    as $$
        select set_config('app.tenant_id', coalesce(tenant::text, ''), true),
               set_config('app.user_id', coalesce(person::text, ''), true),
               set_config('app.request_id', coalesce(request, ''), true)
    $$;

create or replace function enter_tenant(tenant_slug text, person bigint, request text)
    returns table (id bigint, slug text, name text, country text, default_language text,
                   require_two_factor boolean, member_id bigint, role text, focal_point boolean,
                   partner_id bigint, partner_name text)
    language plpgsql
    as $$
declare
    found_tenant tenants;
begin
    select * into found_tenant from tenants t where t.slug = tenant_slug;
    if found_tenant.id is null then
        return;
    end if;
    perform app_set_scope(found_tenant.id, person, request);
    return query
        select found_tenant.id, found_tenant.slug, found_tenant.name, found_tenant.country,
               found_tenant.default_language, found_tenant.require_two_factor,
               m.id, m.role, m.focal_point, m.partner_id, p.name
        from memberships m
        left join partners p on p.tenant_id = m.tenant_id and p.id = m.partner_id
        where m.tenant_id = found_tenant.id and m.user_id = person and m.active;
end
$$;

-- The public portal's entry: a tenant that opened its portal, scoped with
-- nobody signed in, in the same round trip.
create function enter_public_tenant(tenant_slug text)
    returns table (id bigint, slug text, name text, country text)
    language plpgsql
    as $$
declare
    found_tenant tenants;
begin
    select * into found_tenant from tenants t where t.slug = tenant_slug and t.public_portal;
    if found_tenant.id is null then
        return;
    end if;
    perform app_set_scope(found_tenant.id, null, '');
    return query select found_tenant.id, found_tenant.slug, found_tenant.name, found_tenant.country;
end
$$;

-- Tenants get row-level security too: anyone may look a tenant up (its
-- slug and name open its pages), the operator creates them, and only a
-- transaction scoped to a tenant may change that tenant's settings.
alter table tenants enable row level security;
alter table tenants force row level security;
create policy anyone_reads on tenants for select using (true);
create policy operator_creates on tenants for insert with check (app_tenant_id() is null);
create policy own_settings on tenants for update
    using (id = app_tenant_id())
    with check (id = app_tenant_id());
