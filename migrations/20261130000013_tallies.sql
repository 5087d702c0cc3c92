-- Summaries kept on write, so the dashboard and the quarter grid read a few
-- rows per outcome and partner instead of the whole plan. Triggers change
-- them in the same statement as the rows they sum: they are never stale.
-- Statement-level triggers with transition tables do one aggregated write per
-- statement, so a spreadsheet import of thousands of rows stays cheap.

-- Activities by outcome, lead partner (0: none), status and currency.
create table activity_tallies (
    tenant_id bigint not null,
    nap_id bigint not null,
    outcome_id bigint not null,
    lead_partner_id bigint not null,
    status text not null,
    currency text not null,
    activities integer not null,
    -- Activities with a budget; only these say which currency the plan uses.
    budgeted integer not null,
    budget bigint not null,
    spending bigint not null,
    primary key (tenant_id, nap_id, outcome_id, lead_partner_id, status, currency),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade,
    foreign key (tenant_id, outcome_id) references outcomes (tenant_id, id) on delete cascade
);

-- Target occurrences by NAP, the activity's lead partner (0: none) and quarter.
create table target_tallies (
    tenant_id bigint not null,
    nap_id bigint not null,
    lead_partner_id bigint not null,
    quarter_index integer not null,
    targets integer not null,
    met integer not null,
    primary key (tenant_id, nap_id, lead_partner_id, quarter_index),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade
);

-- Each activity's earliest quarter with a target not yet met; no row when
-- none is open. "Overdue" is then an index range: quarters before today's.
create table open_targets (
    tenant_id bigint not null,
    activity_id bigint not null,
    nap_id bigint not null,
    first_quarter integer not null,
    primary key (tenant_id, activity_id),
    foreign key (tenant_id, activity_id) references activities (tenant_id, id) on delete cascade
);
create index open_targets_nap_idx on open_targets (tenant_id, nap_id, first_quarter, activity_id);

do $$
declare
    t text;
begin
    foreach t in array array['activity_tallies', 'target_tallies', 'open_targets'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id())
                        with check (tenant_id = app_tenant_id())', t);
    end loop;
end
$$;

-- What the dashboard's short lists and the partner table reach by index.
create index activities_stale_idx on activities (tenant_id, nap_id, last_update_at nulls first, id)
    where status not in ('completed', 'cancelled');
create index activities_lead_update_idx on activities (tenant_id, nap_id, lead_partner_id, last_update_at);
create index target_occurrences_open_idx on target_occurrences (tenant_id, quarter_index, activity_id)
    where met_at is null;
-- "My work": the updates returned to their author.
create index status_updates_returned_idx on status_updates (tenant_id, author_id, reviewed_at desc)
    where review_state = 'returned';

-- Writes to one tenant's plan take turns, from their first statement on
-- activities or target occurrences until commit. The tally rows they share
-- are then never locked in a cycle, which PostgreSQL would end by aborting
-- one of the transactions (a status update posted during an import, say).
-- Rows of the same tally are hot anyway: the turns cost little more.
create function take_plan_turn() returns trigger
    language plpgsql
    as $$
begin
    perform pg_advisory_xact_lock(13, coalesce(app_tenant_id(), 0)::integer);
    return null;
end
$$;
create trigger plan_turn before insert or update or delete on activities
    for each statement execute function take_plan_turn();
create trigger plan_turn before insert or update or delete on target_occurrences
    for each statement execute function take_plan_turn();

-- Every change to a tally is one upsert of signed differences, summed per
-- row and sent in key order: two transactions then lock the rows they share
-- in the same order and cannot deadlock, and a change that moves nothing
-- (a new title) locks nothing. Rows are only ever added or updated; while a
-- NAP or outcome is being deleted, its tallies go with it by cascade and are
-- left alone here.

-- Each activity's earliest quarter with a target not yet met, recomputed
-- for the given activities (those still existing).
create function refresh_open_targets(tenants bigint[], ids bigint[]) returns void
    language sql
    as $$
    delete from open_targets f
    using unnest(tenants, ids) as k(tenant_id, id)
    where f.tenant_id = k.tenant_id and f.activity_id = k.id;
    insert into open_targets (tenant_id, activity_id, nap_id, first_quarter)
    select a.tenant_id, a.id, a.nap_id, m.first_quarter
    from (select distinct * from unnest(tenants, ids)) as k(tenant_id, id)
    join activities a on a.tenant_id = k.tenant_id and a.id = k.id
    cross join lateral (
        select min(o.quarter_index) as first_quarter from target_occurrences o
        where o.tenant_id = a.tenant_id and o.activity_id = a.id and o.met_at is null
    ) m
    where m.first_quarter is not null
$$;

create function tally_activities() returns trigger
    language plpgsql
    as $$
begin
    if tg_op = 'INSERT' then
        insert into activity_tallies as t (tenant_id, nap_id, outcome_id, lead_partner_id, status, currency,
                                           activities, budgeted, budget, spending)
        select tenant_id, nap_id, outcome_id, coalesce(lead_partner_id, 0), status, currency,
               count(*), count(budget), coalesce(sum(budget), 0), coalesce(sum(spending), 0)
        from new_rows group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6
        on conflict (tenant_id, nap_id, outcome_id, lead_partner_id, status, currency)
        do update set activities = t.activities + excluded.activities, budgeted = t.budgeted + excluded.budgeted,
                      budget = t.budget + excluded.budget, spending = t.spending + excluded.spending;
    elsif tg_op = 'DELETE' then
        insert into activity_tallies as t (tenant_id, nap_id, outcome_id, lead_partner_id, status, currency,
                                           activities, budgeted, budget, spending)
        select d.tenant_id, d.nap_id, d.outcome_id, coalesce(d.lead_partner_id, 0), d.status, d.currency,
               -count(*), -count(d.budget), -coalesce(sum(d.budget), 0), -coalesce(sum(d.spending), 0)
        from old_rows d
        join outcomes oc on oc.tenant_id = d.tenant_id and oc.id = d.outcome_id
        join naps n on n.tenant_id = d.tenant_id and n.id = d.nap_id
        group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6
        on conflict (tenant_id, nap_id, outcome_id, lead_partner_id, status, currency)
        do update set activities = t.activities + excluded.activities, budgeted = t.budgeted + excluded.budgeted,
                      budget = t.budget + excluded.budget, spending = t.spending + excluded.spending;
    else
        insert into activity_tallies as t (tenant_id, nap_id, outcome_id, lead_partner_id, status, currency,
                                           activities, budgeted, budget, spending)
        select tenant_id, nap_id, outcome_id, lead_partner_id, status, currency,
               sum(activities), sum(budgeted), sum(budget), sum(spending)
        from (select tenant_id, nap_id, outcome_id, coalesce(lead_partner_id, 0) as lead_partner_id,
                     status, currency, -1 as activities, -(budget is not null)::int as budgeted,
                     -coalesce(budget, 0) as budget, -coalesce(spending, 0) as spending
              from old_rows
              union all
              select tenant_id, nap_id, outcome_id, coalesce(lead_partner_id, 0), status, currency,
                     1, (budget is not null)::int, coalesce(budget, 0), coalesce(spending, 0)
              from new_rows) d
        group by 1, 2, 3, 4, 5, 6
        having (sum(activities), sum(budgeted), sum(budget), sum(spending)) <> (0, 0, 0, 0)
        order by 1, 2, 3, 4, 5, 6
        on conflict (tenant_id, nap_id, outcome_id, lead_partner_id, status, currency)
        do update set activities = t.activities + excluded.activities, budgeted = t.budgeted + excluded.budgeted,
                      budget = t.budget + excluded.budget, spending = t.spending + excluded.spending;
        -- Targets are tallied under their activity's NAP and lead partner:
        -- when those change, they move from the old to the new.
        insert into target_tallies as t (tenant_id, nap_id, lead_partner_id, quarter_index, targets, met)
        select tenant_id, nap_id, lead_partner_id, quarter_index, sum(targets), sum(met)
        from (select o.tenant_id, o.nap_id, coalesce(o.lead_partner_id, 0) as lead_partner_id, x.quarter_index,
                     -1 as targets, -(x.met_at is not null)::int as met
              from old_rows o
              join new_rows n on n.tenant_id = o.tenant_id and n.id = o.id
              join target_occurrences x on x.tenant_id = o.tenant_id and x.activity_id = o.id
              where n.nap_id <> o.nap_id or n.lead_partner_id is distinct from o.lead_partner_id
              union all
              select n.tenant_id, n.nap_id, coalesce(n.lead_partner_id, 0), x.quarter_index,
                     1, (x.met_at is not null)::int
              from old_rows o
              join new_rows n on n.tenant_id = o.tenant_id and n.id = o.id
              join target_occurrences x on x.tenant_id = n.tenant_id and x.activity_id = n.id
              where n.nap_id <> o.nap_id or n.lead_partner_id is distinct from o.lead_partner_id) d
        group by 1, 2, 3, 4
        having (sum(targets), sum(met)) <> (0, 0)
        order by 1, 2, 3, 4
        on conflict (tenant_id, nap_id, lead_partner_id, quarter_index)
        do update set targets = t.targets + excluded.targets, met = t.met + excluded.met;
        update open_targets f set nap_id = n.nap_id
        from new_rows n
        where f.tenant_id = n.tenant_id and f.activity_id = n.id and f.nap_id <> n.nap_id;
    end if;
    return null;
end
$$;
create trigger tally_insert after insert on activities
    referencing new table as new_rows for each statement execute function tally_activities();
create trigger tally_update after update on activities
    referencing old table as old_rows new table as new_rows for each statement execute function tally_activities();
create trigger tally_delete after delete on activities
    referencing old table as old_rows for each statement execute function tally_activities();

-- A deleted activity's occurrences are deleted after it (by cascade), when
-- its NAP and lead can no longer be looked up: take them out before.
create function untally_activity_targets() returns trigger
    language plpgsql
    as $$
begin
    insert into target_tallies as t (tenant_id, nap_id, lead_partner_id, quarter_index, targets, met)
    select old.tenant_id, old.nap_id, coalesce(old.lead_partner_id, 0), o.quarter_index,
           -count(*), -count(o.met_at)
    from target_occurrences o
    join naps n on n.tenant_id = old.tenant_id and n.id = old.nap_id
    where o.tenant_id = old.tenant_id and o.activity_id = old.id
    group by 1, 2, 3, 4 order by 1, 2, 3, 4
    on conflict (tenant_id, nap_id, lead_partner_id, quarter_index)
    do update set targets = t.targets + excluded.targets, met = t.met + excluded.met;
    return old;
end
$$;
create trigger untally_targets before delete on activities
    for each row execute function untally_activity_targets();

-- Occurrences count under their activity's NAP and lead. Those of an
-- activity being deleted find no activity here: its own trigger took them
-- out already.
create function tally_occurrences() returns trigger
    language plpgsql
    as $$
declare
    tenants bigint[];
    ids bigint[];
begin
    if tg_op = 'INSERT' then
        insert into target_tallies as t (tenant_id, nap_id, lead_partner_id, quarter_index, targets, met)
        select a.tenant_id, a.nap_id, coalesce(a.lead_partner_id, 0), o.quarter_index, count(*), count(o.met_at)
        from new_rows o join activities a on a.tenant_id = o.tenant_id and a.id = o.activity_id
        group by 1, 2, 3, 4 order by 1, 2, 3, 4
        on conflict (tenant_id, nap_id, lead_partner_id, quarter_index)
        do update set targets = t.targets + excluded.targets, met = t.met + excluded.met;
        select array_agg(tenant_id), array_agg(activity_id) into tenants, ids
        from (select distinct tenant_id, activity_id from new_rows) d;
    elsif tg_op = 'DELETE' then
        insert into target_tallies as t (tenant_id, nap_id, lead_partner_id, quarter_index, targets, met)
        select a.tenant_id, a.nap_id, coalesce(a.lead_partner_id, 0), o.quarter_index, -count(*), -count(o.met_at)
        from old_rows o
        join activities a on a.tenant_id = o.tenant_id and a.id = o.activity_id
        join naps n on n.tenant_id = a.tenant_id and n.id = a.nap_id
        group by 1, 2, 3, 4 order by 1, 2, 3, 4
        on conflict (tenant_id, nap_id, lead_partner_id, quarter_index)
        do update set targets = t.targets + excluded.targets, met = t.met + excluded.met;
        select array_agg(tenant_id), array_agg(activity_id) into tenants, ids
        from (select distinct tenant_id, activity_id from old_rows) d;
    else
        insert into target_tallies as t (tenant_id, nap_id, lead_partner_id, quarter_index, targets, met)
        select tenant_id, nap_id, lead_partner_id, quarter_index, sum(targets), sum(met)
        from (select a.tenant_id, a.nap_id, coalesce(a.lead_partner_id, 0) as lead_partner_id, o.quarter_index,
                     -1 as targets, -(o.met_at is not null)::int as met
              from old_rows o join activities a on a.tenant_id = o.tenant_id and a.id = o.activity_id
              union all
              select a.tenant_id, a.nap_id, coalesce(a.lead_partner_id, 0), o.quarter_index,
                     1, (o.met_at is not null)::int
              from new_rows o join activities a on a.tenant_id = o.tenant_id and a.id = o.activity_id) d
        group by 1, 2, 3, 4
        having (sum(targets), sum(met)) <> (0, 0)
        order by 1, 2, 3, 4
        on conflict (tenant_id, nap_id, lead_partner_id, quarter_index)
        do update set targets = t.targets + excluded.targets, met = t.met + excluded.met;
        select array_agg(tenant_id), array_agg(activity_id) into tenants, ids
        from (select tenant_id, activity_id from old_rows union select tenant_id, activity_id from new_rows) d;
    end if;
    if ids is not null then
        perform refresh_open_targets(tenants, ids);
    end if;
    return null;
end
$$;
create trigger tally_insert after insert on target_occurrences
    referencing new table as new_rows for each statement execute function tally_occurrences();
create trigger tally_update after update on target_occurrences
    referencing old table as old_rows new table as new_rows for each statement execute function tally_occurrences();
create trigger tally_delete after delete on target_occurrences
    referencing old table as old_rows for each statement execute function tally_occurrences();

-- Plans that exist already.
insert into activity_tallies (tenant_id, nap_id, outcome_id, lead_partner_id, status, currency,
                              activities, budgeted, budget, spending)
select tenant_id, nap_id, outcome_id, coalesce(lead_partner_id, 0), status, currency,
       count(*), count(budget), coalesce(sum(budget), 0), coalesce(sum(spending), 0)
from activities group by 1, 2, 3, 4, 5, 6;
insert into target_tallies (tenant_id, nap_id, lead_partner_id, quarter_index, targets, met)
select a.tenant_id, a.nap_id, coalesce(a.lead_partner_id, 0), o.quarter_index, count(*), count(o.met_at)
from target_occurrences o join activities a on a.tenant_id = o.tenant_id and a.id = o.activity_id
group by 1, 2, 3, 4;
insert into open_targets (tenant_id, activity_id, nap_id, first_quarter)
select a.tenant_id, a.id, a.nap_id, min(o.quarter_index)
from target_occurrences o join activities a on a.tenant_id = o.tenant_id and a.id = o.activity_id
where o.met_at is null
group by 1, 2, 3;
