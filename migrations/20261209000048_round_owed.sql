-- What a reporting round owes, in one place for the round's page, the
-- dashboard, My work, the reminders and the reports: each activity of the
-- NAP open in the quarter and neither completed nor cancelled when the
-- round opened, once for its lead and, when the NAP expects them, once for
-- each supporting partner; only one partner's when `partner` is given.
-- Plain SQL without settings of its own, so the planner inlines it into
-- each caller's statement, row-level security included.
create function round_owed(nap bigint, quarter integer, opens timestamptz, partner bigint)
    returns table (tenant_id bigint, activity_id bigint, code text, title text, code_order text,
                   partner_id bigint, leads boolean)
    language sql stable
    as $$
    with open as (
        -- Its status when the round opened is its status now, unless an
        -- update was applied since.
        select a.tenant_id, a.id, a.code, a.title, a.code_order, a.lead_partner_id
        from activities a
        where a.nap_id = nap
          and coalesce(a.start_quarter, quarter) <= quarter and coalesce(a.end_quarter, quarter) >= quarter
          -- One partner's round reads only its own activities.
          and (partner is null or a.lead_partner_id = partner or exists (
              select 1 from activity_partners s
              where s.tenant_id = a.tenant_id and s.activity_id = a.id and s.partner_id = partner))
          and (case when a.last_update_at is null then 'not-started'
                    when a.last_update_at < opens then a.status
                    else coalesce((select u.status from status_updates u
                                   where u.tenant_id = a.tenant_id and u.activity_id = a.id
                                     and u.created_at < opens and u.review_state = 'accepted'
                                   order by u.created_at desc, u.id desc limit 1), 'not-started')
               end) not in ('completed', 'cancelled')),
    owed as (
        select o.tenant_id, o.id, o.code, o.title, o.code_order, o.lead_partner_id as partner_id, true as leads
        from open o where o.lead_partner_id is not null
        union all
        select o.tenant_id, o.id, o.code, o.title, o.code_order, s.partner_id, false
        from open o
        join naps n on n.tenant_id = o.tenant_id and n.id = nap and n.rounds_expect_supporting
        join activity_partners s on s.tenant_id = o.tenant_id and s.activity_id = o.id
        where s.partner_id is distinct from o.lead_partner_id)
    select w.tenant_id, w.id, w.code, w.title, w.code_order, w.partner_id, w.leads
    from owed w
    where partner is null or w.partner_id = partner
    $$;
