-- The members' newsletter: the secretariat's own text (in the tenant's
-- language, and in others where written) and the recent items gathered
-- when it was started, to every member of the tenant or of one committee.
-- Sent once, through the outbox; kept, unchanged, to be read again.
create table newsletters (
    tenant_id bigint not null,
    id bigint generated always as identity,
    -- None: every member of the tenant.
    committee_id bigint,
    subject text not null check (length(subject) between 1 and 200),
    body text not null default '' check (length(body) <= 20000),
    -- {"fr": {"subject": …, "body": …}, "es": …}: the text in other languages.
    translations jsonb not null default '{}',
    -- [{"kind", "title", "day", "link"}]: what happened, as gathered.
    items jsonb not null default '[]',
    created_by bigint references users (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    sent_at timestamptz,
    sent_by bigint references users (id),
    recipients integer,
    primary key (tenant_id, id),
    -- A committee's newsletters go with it (their items name its own documents).
    foreign key (tenant_id, committee_id) references committees (tenant_id, id) on delete cascade,
    check ((sent_at is null) = (recipients is null))
);
create index newsletters_recent_idx on newsletters (tenant_id, created_at desc);

create function newsletters_sent() returns trigger
    language plpgsql
    as $$
begin
    -- A sent newsletter goes only with its committee.
    if tg_op = 'DELETE' and old.sent_at is not null
       and (old.committee_id is null
            or exists (select 1 from committees c where c.tenant_id = old.tenant_id and c.id = old.committee_id)) then
        raise exception 'a sent newsletter cannot be deleted' using errcode = 'check_violation';
    end if;
    if tg_op = 'UPDATE' and old.sent_at is not null
       and (new.subject, new.body, new.translations::text, new.items::text, new.sent_at, new.sent_by, new.recipients)
           is distinct from (old.subject, old.body, old.translations::text, old.items::text, old.sent_at, old.sent_by, old.recipients) then
        raise exception 'a sent newsletter cannot change' using errcode = 'check_violation';
    end if;
    if tg_op = 'DELETE' then
        return old;
    end if;
    new.updated_at := now();
    return new;
end
$$;
create trigger newsletters_sent before update or delete on newsletters
    for each row execute function newsletters_sent();

alter table newsletters enable row level security;
alter table newsletters force row level security;
create policy tenant_isolation on newsletters using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
create trigger audit after insert or update or delete on newsletters
    for each row execute function audit_row('items');
