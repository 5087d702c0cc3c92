-- Every tenant page starts here: find the tenant by its slug, scope the
-- transaction to it (and to the person, and the request for the audit log),
-- then find the person's active membership, which the row-level policies
-- can only see once the scope is set. One round trip instead of two, in a
-- fixed order. No row: no such tenant, or not a member (the page says 404).
create function enter_tenant(tenant_slug text, person bigint, request text)
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
    perform set_config('app.tenant_id', found_tenant.id::text, true),
            set_config('app.user_id', person::text, true),
            set_config('app.request_id', request, true);
    return query
        select found_tenant.id, found_tenant.slug, found_tenant.name, found_tenant.country,
               found_tenant.default_language, found_tenant.require_two_factor,
               m.id, m.role, m.focal_point, m.partner_id, p.name
        from memberships m
        left join partners p on p.tenant_id = m.tenant_id and p.id = m.partner_id
        where m.tenant_id = found_tenant.id and m.user_id = person and m.active;
end
$$;
