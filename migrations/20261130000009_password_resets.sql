-- One-time password-reset links issued by a tenant's secretariat. The link
-- carries a random token; only its SHA-256 is stored.
create table password_resets (
    id bigint generated always as identity primary key,
    user_id bigint not null references users (id) on delete cascade,
    token_hash text not null unique,
    issued_by bigint not null references users (id),
    expires_at timestamptz not null,
    used_at timestamptz,
    created_at timestamptz not null default now()
);
create index password_resets_user_idx on password_resets (user_id);

-- How many tenants a person belongs to, kept by trigger. A secretariat may
-- issue a reset link only for someone who belongs to its tenant alone:
-- otherwise it could take over an account that another tenant trusts.
alter table users add column tenant_count integer not null default 0;
update users u set tenant_count = (select count(*) from memberships m where m.user_id = u.id);

create function count_user_tenants() returns trigger
    language plpgsql
    as $$
begin
    if tg_op = 'INSERT' then
        update users set tenant_count = tenant_count + 1 where id = new.user_id;
    else
        update users set tenant_count = tenant_count - 1 where id = old.user_id;
    end if;
    return null;
end
$$;
create trigger count_user_tenants after insert or delete on memberships
    for each row execute function count_user_tenants();
