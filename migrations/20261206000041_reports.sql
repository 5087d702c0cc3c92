-- Progress reports: a draft the secretariat writes the narrative of, then
-- issues. Issuing numbers it (per tenant: the public address is
-- /p/{slug}/reports/{n}) and keeps its figures as they were that day, as
-- JSON read by every format; from then on only the choice of what the
-- public sees may change.
create table reports (
    tenant_id bigint not null,
    id bigint generated always as identity,
    nap_id bigint not null,
    -- 'quarter', 'year' or 'plan' (the whole plan so far).
    period_kind text not null check (period_kind in ('quarter', 'year', 'plan')),
    -- Quarter indexes (year * 4 + quarter - 1), both included.
    first_quarter integer not null,
    last_quarter integer not null check (last_quarter >= first_quarter),
    title text not null check (length(title) between 1 and 200),
    summary text not null default '',
    achievements text not null default '',
    challenges text not null default '',
    lessons text not null default '',
    recommendations text not null default '',
    number integer check (number > 0),
    issued_at timestamptz,
    issued_by bigint references users (id),
    figures jsonb,
    published_at timestamptz,
    publish_notes boolean not null default false,
    publish_spending boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, number),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade,
    check ((number is null) = (issued_at is null) and (number is null) = (figures is null)),
    check (published_at is null or number is not null)
);
create index reports_nap_idx on reports (tenant_id, nap_id, created_at desc);

-- An issued report is frozen: what it says, its period and its figures never
-- change, and it is never deleted (but with its NAP). Only what the public
-- sees of it may change.
create function reports_frozen() returns trigger
    language plpgsql
    as $$
begin
    if tg_op = 'DELETE' then
        if old.number is not null and exists (select 1 from naps n where n.tenant_id = old.tenant_id and n.id = old.nap_id) then
            raise exception 'an issued report cannot be deleted' using errcode = 'check_violation';
        end if;
        return old;
    end if;
    if old.number is not null and (
        new.nap_id, new.period_kind, new.first_quarter, new.last_quarter, new.title, new.summary,
        new.achievements, new.challenges, new.lessons, new.recommendations, new.number,
        new.issued_at, new.issued_by, new.figures::text
    ) is distinct from (
        old.nap_id, old.period_kind, old.first_quarter, old.last_quarter, old.title, old.summary,
        old.achievements, old.challenges, old.lessons, old.recommendations, old.number,
        old.issued_at, old.issued_by, old.figures::text
    ) then
        raise exception 'an issued report cannot change' using errcode = 'check_violation';
    end if;
    new.updated_at := now();
    return new;
end
$$;
create trigger reports_frozen before update or delete on reports
    for each row execute function reports_frozen();

-- The committees that work on a NAP: linked to it, or to one of its
-- objectives or outcomes. Row-level security applies (the caller's rights).
create function nap_committees(nap bigint) returns setof bigint
    language sql stable
    as $$
    select committee_id from committee_naps where nap_id = nap
    union
    select c.id from committees c
    left join objectives o on o.tenant_id = c.tenant_id and o.id = c.objective_id
    left join outcomes oc on oc.tenant_id = c.tenant_id and oc.id = c.outcome_id
    where coalesce(o.nap_id, oc.nap_id) = nap
$$;

-- A baseline: the implementation plan as it stood on a day (for example
-- when the yearly plan was adopted), one JSON row per activity, never
-- changed afterwards.
create table plan_baselines (
    tenant_id bigint not null,
    id bigint generated always as identity,
    nap_id bigint not null,
    label text not null check (length(label) between 1 and 120),
    recorded_at timestamptz not null default now(),
    recorded_by bigint references users (id),
    activities jsonb not null,
    primary key (tenant_id, id),
    unique (tenant_id, nap_id, label),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade
);
create function plan_baselines_frozen() returns trigger
    language plpgsql
    as $$
begin
    -- Gone only with its NAP.
    if tg_op = 'DELETE' and not exists (select 1 from naps n where n.tenant_id = old.tenant_id and n.id = old.nap_id) then
        return old;
    end if;
    raise exception 'a baseline cannot change' using errcode = 'check_violation';
end
$$;
create trigger plan_baselines_frozen before update or delete on plan_baselines
    for each row execute function plan_baselines_frozen();

-- The committee's yearly review of its own oversight of a NAP: a rating,
-- evidence and a comment per question (JSON by question key; a question
-- not rated is not known, never a default), and the lessons learned.
-- Issuing freezes it, like a report.
create table annual_reviews (
    tenant_id bigint not null,
    id bigint generated always as identity,
    nap_id bigint not null,
    year integer not null check (year between 1990 and 2100),
    answers jsonb not null default '{}',
    lessons text not null default '',
    issued_at timestamptz,
    issued_by bigint references users (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, nap_id, year),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade
);
create function annual_reviews_frozen() returns trigger
    language plpgsql
    as $$
begin
    if tg_op = 'DELETE' then
        -- An issued review goes only with its NAP.
        if old.issued_at is not null and exists (select 1 from naps n where n.tenant_id = old.tenant_id and n.id = old.nap_id) then
            raise exception 'an issued review cannot be deleted' using errcode = 'check_violation';
        end if;
        return old;
    end if;
    if old.issued_at is not null then
        raise exception 'an issued review cannot change' using errcode = 'check_violation';
    end if;
    new.updated_at := now();
    return new;
end
$$;
create trigger annual_reviews_frozen before update or delete on annual_reviews
    for each row execute function annual_reviews_frozen();

do $$
declare
    t text;
begin
    foreach t in array array['reports', 'plan_baselines', 'annual_reviews'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id())
                        with check (tenant_id = app_tenant_id())', t);
    end loop;
end
$$;

-- The audit log keeps who drafted, issued and published what, without the
-- figures and baselines themselves: large, and kept where they are.
create trigger audit after insert or update or delete on reports
    for each row execute function audit_row('figures');
create trigger audit after insert or update or delete on plan_baselines
    for each row execute function audit_row('activities');
create trigger audit after insert or update or delete on annual_reviews
    for each row execute function audit_row();
