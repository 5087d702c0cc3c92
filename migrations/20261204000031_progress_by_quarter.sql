-- Progress over time, kept on write: per outcome and quarter, the sum of its
-- activities' progress and their number as they stood when the quarter last
-- saw a change. The dashboard's "progress by objective, quarter by quarter"
-- reads these few rows (outcomes × quarters with changes) instead of every
-- status update of the plan, which grew with its history.
create table outcome_progress (
    tenant_id bigint not null,
    nap_id bigint not null,
    outcome_id bigint not null,
    quarter_index integer not null,
    progress_sum bigint not null,
    activities integer not null,
    primary key (tenant_id, outcome_id, quarter_index),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade,
    foreign key (tenant_id, outcome_id) references outcomes (tenant_id, id) on delete cascade
);
create index outcome_progress_nap_idx on outcome_progress (tenant_id, nap_id, quarter_index);

alter table outcome_progress enable row level security;
alter table outcome_progress force row level security;
create policy tenant_isolation on outcome_progress using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());

-- The quarter of a moment, as quarter indexes count (year * 4 + quarter - 1).
create function quarter_index_of(at timestamptz) returns integer
    language sql immutable
    as $$ select extract(year from at at time zone 'UTC')::int * 4 + extract(quarter from at at time zone 'UTC')::int - 1 $$;

-- Where a quarter index begins.
create function quarter_start(quarter_index integer) returns timestamptz
    language sql immutable
    as $$ select make_timestamptz(quarter_index / 4, (quarter_index % 4) * 3 + 1, 1, 0, 0, 0, 'UTC') $$;

-- Sums again the given outcomes (those still existing) in the given
-- quarters, in the quarters after them already kept, and in this one. This
-- quarter sums the activities as they stand; an earlier one, each activity's
-- last accepted update by its end (0 before any), so history written out of
-- order (a demo, an import of old reports) still lands right. The usual
-- write, an update now, touches this quarter's row alone.
create function refresh_outcome_progress(tenants bigint[], outcomes bigint[], quarters integer[]) returns void
    language sql
    as $$
    with asked as (
        select distinct * from unnest(tenants, outcomes, quarters) as k(tenant_id, id, quarter_index)),
    todo as (
        select tenant_id, id, least(quarter_index, quarter_index_of(now())) as quarter_index from asked
        union
        select p.tenant_id, p.outcome_id, p.quarter_index
        from outcome_progress p
        join asked k on k.tenant_id = p.tenant_id and k.id = p.outcome_id and p.quarter_index > k.quarter_index
        union
        select tenant_id, id, quarter_index_of(now()) from asked)
    insert into outcome_progress as p (tenant_id, nap_id, outcome_id, quarter_index, progress_sum, activities)
    select oc.tenant_id, oc.nap_id, oc.id, t.quarter_index,
           coalesce(sum(case when t.quarter_index >= quarter_index_of(now()) then a.progress
                             else coalesce(l.progress, 0) end), 0),
           count(a.id)
    from todo t
    join outcomes oc on oc.tenant_id = t.tenant_id and oc.id = t.id
    left join activities a on a.tenant_id = oc.tenant_id and a.outcome_id = oc.id
    left join lateral (
        select u.progress from status_updates u
        where t.quarter_index < quarter_index_of(now())
          and u.tenant_id = a.tenant_id and u.activity_id = a.id and u.review_state = 'accepted'
          and u.created_at < quarter_start(t.quarter_index + 1)
        order by u.created_at desc, u.id desc limit 1) l on true
    group by oc.tenant_id, oc.nap_id, oc.id, t.quarter_index
    order by 1, 3, 4
    on conflict (tenant_id, outcome_id, quarter_index)
    do update set progress_sum = excluded.progress_sum, activities = excluded.activities
$$;

-- A changed progress counts in the quarter of the update that brought it
-- (last_update_at), so history loaded in order lands in its own quarters;
-- activities added, moved or removed count now.
create function track_outcome_progress() returns trigger
    language plpgsql
    as $$
declare
    tenants bigint[];
    outcomes bigint[];
    quarters integer[];
begin
    if tg_op = 'INSERT' then
        select array_agg(tenant_id), array_agg(outcome_id), array_agg(quarter_index_of(now()))
        into tenants, outcomes, quarters from new_rows;
    elsif tg_op = 'DELETE' then
        select array_agg(tenant_id), array_agg(outcome_id), array_agg(quarter_index_of(now()))
        into tenants, outcomes, quarters from old_rows;
    else
        select array_agg(c.tenant_id), array_agg(c.outcome_id), array_agg(c.quarter_index)
        into tenants, outcomes, quarters
        from (select n.tenant_id, n.outcome_id,
                     quarter_index_of(case when n.progress <> o.progress then coalesce(n.last_update_at, now())
                                           else now() end) as quarter_index
              from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
              where n.progress <> o.progress or n.outcome_id <> o.outcome_id
              union
              select o.tenant_id, o.outcome_id, quarter_index_of(now())
              from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
              where n.outcome_id <> o.outcome_id) c;
    end if;
    if tenants is null then
        return null;
    end if;
    -- The usual write: this quarter, the activities as they stand (a plan
    -- PL/pgSQL keeps prepared).
    insert into outcome_progress as p (tenant_id, nap_id, outcome_id, quarter_index, progress_sum, activities)
    select oc.tenant_id, oc.nap_id, oc.id, quarter_index_of(now()), coalesce(sum(a.progress), 0), count(a.id)
    from (select distinct * from unnest(tenants, outcomes)) as k(tenant_id, id)
    join outcomes oc on oc.tenant_id = k.tenant_id and oc.id = k.id
    left join activities a on a.tenant_id = oc.tenant_id and a.outcome_id = oc.id
    group by oc.tenant_id, oc.nap_id, oc.id
    order by 1, 3
    on conflict (tenant_id, outcome_id, quarter_index)
    do update set progress_sum = excluded.progress_sum, activities = excluded.activities;
    -- History that arrived for an earlier quarter.
    if exists (select 1 from unnest(quarters) as q(i) where q.i < quarter_index_of(now())) then
        perform refresh_outcome_progress(tenants, outcomes, quarters);
    end if;
    return null;
end
$$;
create trigger progress_insert after insert on activities
    referencing new table as new_rows for each statement execute function track_outcome_progress();
create trigger progress_update after update on activities
    referencing old table as old_rows new table as new_rows for each statement execute function track_outcome_progress();
create trigger progress_delete after delete on activities
    referencing old table as old_rows for each statement execute function track_outcome_progress();

-- The history so far: for each outcome, in every quarter in which its plan
-- saw an accepted update, and in this one, its activities' last accepted
-- progress by the end of that quarter (0 before any).
insert into outcome_progress (tenant_id, nap_id, outcome_id, quarter_index, progress_sum, activities)
select oc.tenant_id, oc.nap_id, oc.id, q.quarter_index, coalesce(sum(l.progress), 0), count(a.id)
from outcomes oc
cross join lateral (
    select quarter_index_of(u.created_at) as quarter_index
    from status_updates u
    join activities x on x.tenant_id = u.tenant_id and x.id = u.activity_id
    where x.tenant_id = oc.tenant_id and x.nap_id = oc.nap_id and u.review_state = 'accepted'
    union
    select quarter_index_of(now())) q
left join activities a on a.tenant_id = oc.tenant_id and a.outcome_id = oc.id
left join lateral (
    select u.progress from status_updates u
    where u.tenant_id = a.tenant_id and u.activity_id = a.id and u.review_state = 'accepted'
      and quarter_index_of(u.created_at) <= q.quarter_index
    order by u.created_at desc, u.id desc limit 1) l on true
group by oc.tenant_id, oc.nap_id, oc.id, q.quarter_index;
