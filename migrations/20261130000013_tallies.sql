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

-- Adds the occurrences of the given activities to the target tallies, under
-- each activity's current NAP and lead.
create function tally_targets_of(tenants bigint[], ids bigint[]) returns void
    language sql
    as $$
    insert into target_tallies as t (tenant_id, nap_id, lead_partner_id, quarter_index, targets, met)
    select a.tenant_id, a.nap_id, coalesce(a.lead_partner_id, 0), o.quarter_index, count(*), count(o.met_at)
    from unnest(tenants, ids) as k(tenant_id, id)
    join activities a on a.tenant_id = k.tenant_id and a.id = k.id
    join target_occurrences o on o.tenant_id = a.tenant_id and o.activity_id = a.id
    group by 1, 2, 3, 4
    on conflict (tenant_id, nap_id, lead_partner_id, quarter_index)
    do update set targets = t.targets + excluded.targets, met = t.met + excluded.met
$$;

-- Takes them out again. While a whole NAP (or outcome) is being deleted its
-- tallies go with it, and are neither touched nor brought back.
create function untally_targets_of(tenants bigint[], ids bigint[]) returns void
    language sql
    as $$
    update target_tallies t set targets = t.targets - d.targets, met = t.met - d.met
    from (select a.tenant_id, a.nap_id, coalesce(a.lead_partner_id, 0) as lead_partner_id, o.quarter_index,
                 count(*) as targets, count(o.met_at) as met
          from unnest(tenants, ids) as k(tenant_id, id)
          join activities a on a.tenant_id = k.tenant_id and a.id = k.id
          join naps n on n.tenant_id = a.tenant_id and n.id = a.nap_id
          join target_occurrences o on o.tenant_id = a.tenant_id and o.activity_id = a.id
          group by 1, 2, 3, 4) d
    where t.tenant_id = d.tenant_id and t.nap_id = d.nap_id and t.lead_partner_id = d.lead_partner_id
      and t.quarter_index = d.quarter_index
$$;

-- Recomputes open_targets for the given activities (those still existing).
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
declare
    moved_tenants bigint[];
    moved_ids bigint[];
begin
    if tg_op = 'UPDATE' then
        -- Targets are tallied under their activity's NAP and lead partner:
        -- when those change, move them (out under the old, in under the new).
        select array_agg(o.tenant_id), array_agg(o.id) into moved_tenants, moved_ids
        from old_rows o join new_rows n on n.tenant_id = o.tenant_id and n.id = o.id
        where n.nap_id <> o.nap_id or n.lead_partner_id is distinct from o.lead_partner_id;
        if moved_ids is not null then
            update target_tallies t set targets = t.targets - d.targets, met = t.met - d.met
            from (select o.tenant_id, o.nap_id, coalesce(o.lead_partner_id, 0) as lead_partner_id,
                         x.quarter_index, count(*) as targets, count(x.met_at) as met
                  from old_rows o
                  join unnest(moved_tenants, moved_ids) as k(tenant_id, id) on k.tenant_id = o.tenant_id and k.id = o.id
                  join target_occurrences x on x.tenant_id = o.tenant_id and x.activity_id = o.id
                  group by 1, 2, 3, 4) d
            where t.tenant_id = d.tenant_id and t.nap_id = d.nap_id and t.lead_partner_id = d.lead_partner_id
              and t.quarter_index = d.quarter_index;
            perform tally_targets_of(moved_tenants, moved_ids);
            update open_targets f set nap_id = n.nap_id
            from new_rows n
            where f.tenant_id = n.tenant_id and f.activity_id = n.id and f.nap_id <> n.nap_id;
        end if;
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        update activity_tallies t
        set activities = t.activities - d.activities, budgeted = t.budgeted - d.budgeted,
            budget = t.budget - d.budget, spending = t.spending - d.spending
        from (select tenant_id, nap_id, outcome_id, coalesce(lead_partner_id, 0) as lead_partner_id,
                     status, currency, count(*) as activities, count(budget) as budgeted,
                     coalesce(sum(budget), 0) as budget, coalesce(sum(spending), 0) as spending
              from old_rows group by 1, 2, 3, 4, 5, 6) d
        where t.tenant_id = d.tenant_id and t.nap_id = d.nap_id and t.outcome_id = d.outcome_id
          and t.lead_partner_id = d.lead_partner_id and t.status = d.status and t.currency = d.currency
          -- Not while the NAP or outcome itself is being deleted.
          and exists (select 1 from outcomes oc join naps n on n.tenant_id = oc.tenant_id and n.id = oc.nap_id
                      where oc.tenant_id = d.tenant_id and oc.id = d.outcome_id);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into activity_tallies as t (tenant_id, nap_id, outcome_id, lead_partner_id, status, currency,
                                           activities, budgeted, budget, spending)
        select tenant_id, nap_id, outcome_id, coalesce(lead_partner_id, 0), status, currency,
               count(*), count(budget), coalesce(sum(budget), 0), coalesce(sum(spending), 0)
        from new_rows group by 1, 2, 3, 4, 5, 6
        on conflict (tenant_id, nap_id, outcome_id, lead_partner_id, status, currency)
        do update set activities = t.activities + excluded.activities, budgeted = t.budgeted + excluded.budgeted,
                      budget = t.budget + excluded.budget, spending = t.spending + excluded.spending;
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
    perform untally_targets_of(array[old.tenant_id], array[old.id]);
    return old;
end
$$;
create trigger untally_targets before delete on activities
    for each row execute function untally_activity_targets();

create function tally_occurrences() returns trigger
    language plpgsql
    as $$
declare
    tenants bigint[];
    ids bigint[];
begin
    -- Occurrences of an activity being deleted find no activity here: the
    -- activity's own trigger took them out already.
    if tg_op in ('UPDATE', 'DELETE') then
        update target_tallies t set targets = t.targets - d.targets, met = t.met - d.met
        from (select a.tenant_id, a.nap_id, coalesce(a.lead_partner_id, 0) as lead_partner_id, o.quarter_index,
                     count(*) as targets, count(o.met_at) as met
              from old_rows o join activities a on a.tenant_id = o.tenant_id and a.id = o.activity_id
              group by 1, 2, 3, 4) d
        where t.tenant_id = d.tenant_id and t.nap_id = d.nap_id and t.lead_partner_id = d.lead_partner_id
          and t.quarter_index = d.quarter_index;
        select array_agg(tenant_id), array_agg(activity_id) into tenants, ids
        from (select distinct tenant_id, activity_id from old_rows) d;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into target_tallies as t (tenant_id, nap_id, lead_partner_id, quarter_index, targets, met)
        select a.tenant_id, a.nap_id, coalesce(a.lead_partner_id, 0), o.quarter_index,
               count(*), count(o.met_at)
        from new_rows o join activities a on a.tenant_id = o.tenant_id and a.id = o.activity_id
        group by 1, 2, 3, 4
        on conflict (tenant_id, nap_id, lead_partner_id, quarter_index)
        do update set targets = t.targets + excluded.targets, met = t.met + excluded.met;
        select array_agg(tenant_id) || coalesce(tenants, '{}'), array_agg(activity_id) || coalesce(ids, '{}')
        into tenants, ids
        from (select distinct tenant_id, activity_id from new_rows) d;
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
