-- Notifications: what concerns one person, in the product and by e-mail.
--
-- A notification belongs to its tenant, but its person reads it from any
-- tenant (the notification centre lists them all), so the policy lets a
-- person see and mark their own.
create table notifications (
    tenant_id bigint not null references tenants (id) on delete cascade,
    id bigint generated always as identity,
    user_id bigint not null references users (id) on delete cascade,
    category text not null check (category in ('reminders', 'updates', 'reviews', 'comments', 'actions', 'meetings', 'committees')),
    kind text not null check (kind ~ '^[a-z_0-9]+$'),
    -- Titles, dates and states only: never a note, a figure or a
    -- confidential word (they also go into e-mails).
    params jsonb not null default '{}',
    link text not null check (link like '/%'),
    -- Time-based events (a round's reminders): one per key and person,
    -- however often and from however many processes the clock runs.
    event_key text,
    created_at timestamptz not null default now(),
    read_at timestamptz,
    -- Sent by e-mail, at once or in a digest.
    mailed boolean not null default false,
    primary key (tenant_id, id),
    unique (tenant_id, user_id, event_key)
);
create index notifications_user_idx on notifications (user_id, created_at desc);
create index notifications_unread_idx on notifications (user_id) where read_at is null;
create index notifications_digest_idx on notifications (tenant_id, user_id) where not mailed;

alter table notifications enable row level security;
alter table notifications force row level security;
create policy tenant_or_person on notifications
    using (tenant_id = app_tenant_id() or user_id = app_user_id())
    with check (tenant_id = app_tenant_id() or user_id = app_user_id());

-- What a person follows beyond their organisation's work.
create table follows (
    tenant_id bigint not null references tenants (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    activity_id bigint,
    committee_id bigint,
    created_at timestamptz not null default now(),
    check ((activity_id is null) <> (committee_id is null)),
    unique (tenant_id, user_id, activity_id),
    unique (tenant_id, user_id, committee_id),
    foreign key (tenant_id, activity_id) references activities (tenant_id, id) on delete cascade,
    foreign key (tenant_id, committee_id) references committees (tenant_id, id) on delete cascade
);
alter table follows enable row level security;
alter table follows force row level security;
create policy tenant_isolation on follows using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());

-- How each person wants each category by e-mail; without a row, the
-- default (reminders at once, the rest weekly).
create table mail_preferences (
    user_id bigint not null references users (id) on delete cascade,
    category text not null check (category in ('reminders', 'updates', 'reviews', 'comments', 'actions', 'meetings', 'committees')),
    frequency text not null check (frequency in ('now', 'daily', 'weekly', 'off')),
    primary key (user_id, category)
);

-- When each person last had each digest from each tenant.
-- (Like the outbox, outside tenant data: `for_tenant` is no wall.)
create table mail_digests (
    user_id bigint not null references users (id) on delete cascade,
    for_tenant bigint not null,
    frequency text not null check (frequency in ('daily', 'weekly')),
    last_sent_at timestamptz not null,
    primary key (user_id, for_tenant, frequency)
);

-- The outbox: mail waiting to go, written in the transaction of its event
-- and delivered by the worker inside `serve`. Outside tenant data (no
-- row-level security; `for_tenant` only to show a tenant its failures),
-- so the tenant tables can be distributed later.
create table mail_outbox (
    id bigint generated always as identity primary key,
    for_tenant bigint,
    user_id bigint references users (id) on delete set null,
    recipient text not null,
    language text not null default 'en',
    -- notice, digest, invitation or reset.
    kind text not null,
    payload jsonb not null default '{}',
    -- A calendar file to attach (meetings).
    attachment text,
    state text not null default 'queued' check (state in ('queued', 'sent', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error text,
    created_at timestamptz not null default now(),
    sent_at timestamptz
);
create index mail_outbox_due_idx on mail_outbox (next_attempt_at, id) where state = 'queued';
create index mail_outbox_failed_idx on mail_outbox (for_tenant, id desc) where state = 'failed';

-- The key that signs unsubscribe links, the same for every process.
create table mail_keys (
    id boolean primary key default true check (id),
    secret text not null
);
insert into mail_keys (secret)
    values (replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
revoke insert, update, delete on mail_keys from nap_app;

-- Who reads a tenant's pages counts their unread notifications in the same
-- round trip as the tenant and the membership.
drop function enter_tenant(text, bigint, text);
create function enter_tenant(tenant_slug text, person bigint, request text)
    returns table (id bigint, slug text, name text, country text, default_language text,
                   require_two_factor boolean, member_id bigint, role text, focal_point boolean,
                   partner_id bigint, partner_name text, unread bigint)
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
               m.id, m.role, m.focal_point, m.partner_id, p.name,
               (select count(*) from notifications n where n.user_id = person and n.read_at is null)
        from memberships m
        left join partners p on p.tenant_id = m.tenant_id and p.id = m.partner_id
        where m.tenant_id = found_tenant.id and m.user_id = person and m.active;
end
$$;
