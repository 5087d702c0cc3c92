-- Search across a tenant's plan, committees and documents, in the text's
-- own language (English, French, Spanish; anything else word for word),
-- accent-insensitive: "travail force" finds "travail forcé".
create extension if not exists unaccent;

create text search configuration en_unaccent (copy = english);
alter text search configuration en_unaccent
    alter mapping for hword, hword_part, word with unaccent, english_stem;
create text search configuration fr_unaccent (copy = french);
alter text search configuration fr_unaccent
    alter mapping for hword, hword_part, word with unaccent, french_stem;
create text search configuration es_unaccent (copy = spanish);
alter text search configuration es_unaccent
    alter mapping for hword, hword_part, word with unaccent, spanish_stem;
create text search configuration simple_unaccent (copy = simple);
alter text search configuration simple_unaccent
    alter mapping for hword, hword_part, word with unaccent, simple;

-- The configuration of a language: 'en', 'fr', 'es'; anything else word for word.
create function search_language(lang text) returns regconfig
    language sql immutable parallel safe
    as $$
    select case lang when 'en' then 'public.en_unaccent'::regconfig
                     when 'fr' then 'public.fr_unaccent'::regconfig
                     when 'es' then 'public.es_unaccent'::regconfig
                     else 'public.simple_unaccent'::regconfig end
    $$;

-- One row per thing found: what it is, where it reads (under /t/{slug}/),
-- its title (weighted above its body) and the words of both. Kept by the
-- triggers below from `search_source`; confidential records never come
-- here, nor updates that are not accepted.
create table search_entries (
    tenant_id bigint not null,
    kind text not null,
    object_id bigint not null,
    nap_id bigint,
    path text not null,
    title text not null,
    body text not null,
    lang text not null,
    -- A committee-only document: read by that committee (and its author) alone.
    committee_only bigint,
    created_by bigint,
    -- A document the public portal shows.
    public boolean not null default false,
    -- Every word, for finding.
    tsv tsvector generated always as (
        setweight(to_tsvector(search_language(lang), title), 'A')
        || setweight(to_tsvector(search_language(lang), left(body, 400000)), 'B')
    ) stored,
    -- The title and the body's beginning, for ranking: small, so ranking
    -- thousands of matches reads no large value.
    head tsvector generated always as (
        setweight(to_tsvector(search_language(lang), title), 'A')
        || setweight(to_tsvector(search_language(lang), left(body, 1000)), 'B')
    ) stored,
    -- The title's words alone: its matches are ranked whatever else matches.
    title_tsv tsvector generated always as (to_tsvector(search_language(lang), title)) stored,
    primary key (tenant_id, kind, object_id)
);
create index search_entries_tsv_idx on search_entries using gin (tsv);
create index search_entries_title_idx on search_entries using gin (title_tsv);

-- Enabled but not forced: the application role reads and writes only its
-- tenant's rows; the search functions below, owned by the table's owner,
-- read through the index and apply the same walls themselves.
alter table search_entries enable row level security;
create policy tenant_isolation on search_entries using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());

-- Everything searchable, as entries: one view per kind (what the trigger
-- of that kind's table reads, one row by its id), and all of them together
-- (what fills the index).
create view search_source_activity (tenant_id, kind, object_id, nap_id, path, title, body, lang, committee_only, created_by, public) with (security_invoker = true) as
    select a.tenant_id, 'activity'::text as kind, a.id as object_id, a.nap_id,
           format('naps/%s/activities/%s', a.nap_id, a.id) as path,
           a.code || ' ' || a.title as title, concat_ws(E'\n', a.description, a.place) as body,
           t.default_language as lang, null::bigint as committee_only, null::bigint as created_by, false as public
    from activities a join tenants t on t.id = a.tenant_id;
create view search_source_outcome (tenant_id, kind, object_id, nap_id, path, title, body, lang, committee_only, created_by, public) with (security_invoker = true) as
    select o.tenant_id, 'outcome', o.id, o.nap_id, format('naps/%s', o.nap_id),
           o.code || ' ' || o.title, '', t.default_language, null::bigint, null::bigint, false
    from outcomes o join tenants t on t.id = o.tenant_id;
create view search_source_update (tenant_id, kind, object_id, nap_id, path, title, body, lang, committee_only, created_by, public) with (security_invoker = true) as
    select u.tenant_id, 'update', u.id, a.nap_id, format('naps/%s/activities/%s#history', a.nap_id, a.id),
           a.code || ' ' || a.title, u.note, t.default_language, null::bigint, null::bigint, false
    from status_updates u
    join activities a on a.tenant_id = u.tenant_id and a.id = u.activity_id
    join tenants t on t.id = u.tenant_id
    where u.review_state = 'accepted' and u.note <> '';
create view search_source_comment (tenant_id, kind, object_id, nap_id, path, title, body, lang, committee_only, created_by, public) with (security_invoker = true) as
    select c.tenant_id, 'comment', c.id, a.nap_id, format('naps/%s/activities/%s#comments', a.nap_id, a.id),
           a.code || ' ' || a.title, c.body, t.default_language, null::bigint, null::bigint, false
    from comments c
    join activities a on a.tenant_id = c.tenant_id and a.id = c.activity_id
    join tenants t on t.id = c.tenant_id;
create view search_source_risk (tenant_id, kind, object_id, nap_id, path, title, body, lang, committee_only, created_by, public) with (security_invoker = true) as
    select r.tenant_id, 'risk', r.id, r.nap_id, format('naps/%s/risks', r.nap_id),
           r.challenge, r.mitigation, t.default_language, null::bigint, null::bigint, false
    from risks r join tenants t on t.id = r.tenant_id;
create view search_source_indicator (tenant_id, kind, object_id, nap_id, path, title, body, lang, committee_only, created_by, public) with (security_invoker = true) as
    select i.tenant_id, 'indicator', i.id, n.nap, format('naps/%s/indicators/%s', n.nap, i.id),
           i.name, concat_ws(E'\n', i.baseline, i.target, i.unit), t.default_language, null::bigint, null::bigint, false
    from indicators i
    left join outcomes o on o.tenant_id = i.tenant_id and o.id = i.outcome_id
    left join objectives ob on ob.tenant_id = i.tenant_id and ob.id = i.objective_id
    cross join lateral (select coalesce(i.nap_id, o.nap_id, ob.nap_id) as nap) n
    join tenants t on t.id = i.tenant_id;
create view search_source_committee (tenant_id, kind, object_id, nap_id, path, title, body, lang, committee_only, created_by, public) with (security_invoker = true) as
    select c.tenant_id, 'committee', c.id, null::bigint, format('committees/%s', c.id),
           c.name, '', t.default_language, null::bigint, null::bigint, false
    from committees c join tenants t on t.id = c.tenant_id;
create view search_source_meeting (tenant_id, kind, object_id, nap_id, path, title, body, lang, committee_only, created_by, public) with (security_invoker = true) as
    select m.tenant_id, 'meeting', m.id, null::bigint, format('committees/%s/meetings/%s', m.committee_id, m.id),
           c.name || ' · ' || to_char(m.starts_at, 'YYYY-MM-DD'), concat_ws(E'\n', m.agenda, m.minutes),
           t.default_language, null::bigint, null::bigint, false
    from meetings m
    join committees c on c.tenant_id = m.tenant_id and c.id = m.committee_id
    join tenants t on t.id = m.tenant_id;
create view search_source_decision (tenant_id, kind, object_id, nap_id, path, title, body, lang, committee_only, created_by, public) with (security_invoker = true) as
    select d.tenant_id, 'decision', d.id, null::bigint, format('committees/%s/meetings/%s#decisions', m.committee_id, m.id),
           c.name || ' · ' || to_char(m.starts_at, 'YYYY-MM-DD') || ' · ' || d.number, d.text,
           t.default_language, null::bigint, null::bigint, false
    from decisions d
    join meetings m on m.tenant_id = d.tenant_id and m.id = d.meeting_id
    join committees c on c.tenant_id = m.tenant_id and c.id = m.committee_id
    join tenants t on t.id = d.tenant_id;
create view search_source_action (tenant_id, kind, object_id, nap_id, path, title, body, lang, committee_only, created_by, public) with (security_invoker = true) as
    select ap.tenant_id, 'action', ap.id, null::bigint, format('committees/%s/meetings/%s#actions', m.committee_id, m.id),
           c.name || ' · ' || to_char(m.starts_at, 'YYYY-MM-DD'), ap.text,
           t.default_language, null::bigint, null::bigint, false
    from action_points ap
    join meetings m on m.tenant_id = ap.tenant_id and m.id = ap.meeting_id
    join committees c on c.tenant_id = m.tenant_id and c.id = m.committee_id
    join tenants t on t.id = ap.tenant_id;
create view search_source_partner (tenant_id, kind, object_id, nap_id, path, title, body, lang, committee_only, created_by, public) with (security_invoker = true) as
    select p.tenant_id, 'partner', p.id, null::bigint, 'partners',
           p.acronym || ' ' || p.name, p.portfolio_name, t.default_language, null::bigint, null::bigint, false
    from partners p join tenants t on t.id = p.tenant_id;
create view search_source_document (tenant_id, kind, object_id, nap_id, path, title, body, lang, committee_only, created_by, public) with (security_invoker = true) as
    select d.tenant_id, 'document', d.id, d.nap_id, format('documents/%s', d.id),
           d.title, concat_ws(E'\n', d.description, v.body),
           case when d.language = 'other' then 'simple' else d.language end,
           case when d.visibility = 'committee' then d.committee_id end, d.created_by,
           d.visibility = 'public'
    from documents d
    left join lateral (select v.body from document_versions v
                       where v.tenant_id = d.tenant_id and v.document_id = d.id
                       order by v.number desc limit 1) v on true;
create view search_source with (security_invoker = true) as
    select * from search_source_activity
    union all
    select * from search_source_outcome
    union all
    select * from search_source_update
    union all
    select * from search_source_comment
    union all
    select * from search_source_risk
    union all
    select * from search_source_indicator
    union all
    select * from search_source_committee
    union all
    select * from search_source_meeting
    union all
    select * from search_source_decision
    union all
    select * from search_source_action
    union all
    select * from search_source_partner
    union all
    select * from search_source_document;

-- Keeps one kind's entry of the changed row: its trigger names the kind
-- and the column that holds the entry's id. Each kind reads its own view,
-- so each statement is planned once and cached.
create function search_reindex() returns trigger
    language plpgsql
    as $$
declare
    row_data jsonb := to_jsonb(case when tg_op = 'DELETE' then old else new end);
    tenant bigint := (row_data ->> 'tenant_id')::bigint;
    entry bigint := (row_data ->> tg_argv[1])::bigint;
    k text := tg_argv[0];
begin
    delete from search_entries e where e.tenant_id = tenant and e.kind = k and e.object_id = entry;
    if k = 'activity' then
        insert into search_entries select * from search_source_activity s where s.tenant_id = tenant and s.object_id = entry;
    elsif k = 'outcome' then
        insert into search_entries select * from search_source_outcome s where s.tenant_id = tenant and s.object_id = entry;
    elsif k = 'update' then
        insert into search_entries select * from search_source_update s where s.tenant_id = tenant and s.object_id = entry;
    elsif k = 'comment' then
        insert into search_entries select * from search_source_comment s where s.tenant_id = tenant and s.object_id = entry;
    elsif k = 'risk' then
        insert into search_entries select * from search_source_risk s where s.tenant_id = tenant and s.object_id = entry;
    elsif k = 'indicator' then
        insert into search_entries select * from search_source_indicator s where s.tenant_id = tenant and s.object_id = entry;
    elsif k = 'committee' then
        insert into search_entries select * from search_source_committee s where s.tenant_id = tenant and s.object_id = entry;
    elsif k = 'meeting' then
        insert into search_entries select * from search_source_meeting s where s.tenant_id = tenant and s.object_id = entry;
    elsif k = 'decision' then
        insert into search_entries select * from search_source_decision s where s.tenant_id = tenant and s.object_id = entry;
    elsif k = 'action' then
        insert into search_entries select * from search_source_action s where s.tenant_id = tenant and s.object_id = entry;
    elsif k = 'partner' then
        insert into search_entries select * from search_source_partner s where s.tenant_id = tenant and s.object_id = entry;
    elsif k = 'document' then
        insert into search_entries select * from search_source_document s where s.tenant_id = tenant and s.object_id = entry;
    end if;
    return null;
end
$$;

-- Each table's trigger: on insert, delete, and an update of the columns its
-- own entry is made of (the tallies' updates of an activity's progress
-- leave its entry alone). Entries that copy another row's words (an
-- update's activity title, a decision's committee name and meeting day)
-- keep them until they change themselves; entries keep the tenant's
-- language of the day they were made.
do $$
declare
    t record;
begin
    for t in select * from (values
        ('activities', 'activity', 'id', 'code, title, description, place'),
        ('outcomes', 'outcome', 'id', 'code, title'),
        ('status_updates', 'update', 'id', 'note, review_state'),
        ('comments', 'comment', 'id', 'body'),
        ('risks', 'risk', 'id', 'challenge, mitigation'),
        ('indicators', 'indicator', 'id', 'name, baseline, target, unit, nap_id, outcome_id, objective_id'),
        ('committees', 'committee', 'id', 'name'),
        ('meetings', 'meeting', 'id', 'agenda, minutes, starts_at, committee_id'),
        ('decisions', 'decision', 'id', 'number, text'),
        ('action_points', 'action', 'id', 'text'),
        ('partners', 'partner', 'id', 'acronym, name, portfolio_name'),
        ('documents', 'document', 'id', 'title, description, language, visibility, committee_id, nap_id'),
        ('document_versions', 'document', 'document_id', 'document_id')
    ) as x (tbl, kind, col, cols) loop
        execute format('create trigger search_%s after insert or delete or update of %s on %I
                        for each row execute function search_reindex(%L, %L)',
                       t.tbl, t.cols, t.tbl, t.kind, t.col);
    end loop;
end
$$;

-- What is there already, tenant by tenant (row-level security applies to
-- whoever runs the migrations).
do $$
declare
    t bigint;
begin
    for t in select id from tenants loop
        perform app_set_scope(t, null, '');
        insert into search_entries select * from search_source;
    end loop;
    perform app_set_scope(null, null, '');
end
$$;

-- The query in each language it may be written for.
create function search_queries(q text, out en tsquery, out fr tsquery, out es tsquery, out simple tsquery)
    language sql stable
    as $$
    select websearch_to_tsquery('public.en_unaccent', q), websearch_to_tsquery('public.fr_unaccent', q),
           websearch_to_tsquery('public.es_unaccent', q), websearch_to_tsquery('public.simple_unaccent', q)
    $$;

-- A member's search: the tenant of the transaction's scope, only if the
-- person is an active member of it, only what they may read (a
-- committee-only document by its committee, the secretariat and its
-- author), best first (title words above body words); `only_kind` '' for
-- every kind. With each: the beginning of its body (4,000 characters) and
-- the stems of the query in its language, from which the page marks the
-- matching words.
-- SECURITY DEFINER (its owner owns search_entries, whose row-level
-- security is not forced) so that the index answers; the walls are the
-- WHERE clause's.
create function search_tenant(q text, only_kind text, lim integer, skip integer)
    returns table (kind text, object_id bigint, nap_id bigint, path text, title text,
                   body text, stems text[], rank real)
    language sql stable
    security definer
    set search_path = pg_catalog, public
    -- The index hands over at most about this many matches of a word found
    -- nearly everywhere, rather than every one.
    set gin_fuzzy_search_limit = 1000
    as $$
    with query as (select * from search_queries(q)),
    -- At most 200 title matches and 400 others are ranked: a word found in
    -- thousands of entries ranks a sample of them, its title matches first
    -- (more words narrow it).
    keys as (
        (select e.kind, e.object_id from search_entries e, query x
         where e.tenant_id = app_tenant_id() and (only_kind = '' or e.kind = only_kind)
           and ((e.lang = 'en' and e.title_tsv @@ x.en) or (e.lang = 'fr' and e.title_tsv @@ x.fr)
                or (e.lang = 'es' and e.title_tsv @@ x.es) or (e.lang = 'simple' and e.title_tsv @@ x.simple))
         limit 200)
        union
        (select e.kind, e.object_id from search_entries e, query x
         where e.tenant_id = app_tenant_id() and (only_kind = '' or e.kind = only_kind)
           and ((e.lang = 'en' and e.tsv @@ x.en) or (e.lang = 'fr' and e.tsv @@ x.fr)
                or (e.lang = 'es' and e.tsv @@ x.es) or (e.lang = 'simple' and e.tsv @@ x.simple))
         limit 400)),
    found as (
        select e.kind, e.object_id, e.nap_id, e.path, e.title, e.lang, e.body,
               ts_rank(e.head, case e.lang when 'en' then x.en when 'fr' then x.fr
                                            when 'es' then x.es else x.simple end) as rank
        from keys k
        join search_entries e on e.tenant_id = app_tenant_id() and e.kind = k.kind and e.object_id = k.object_id,
             query x
        where exists (select 1 from memberships m
                      where m.tenant_id = app_tenant_id() and m.user_id = app_user_id() and m.active)
          and (e.committee_only is null or e.created_by = app_user_id()
               or app_reads_committee(e.tenant_id, e.committee_only))
        order by rank desc, e.kind, e.object_id
        limit lim offset skip
    )
    select f.kind, f.object_id, f.nap_id, f.path, f.title, left(f.body, 4000),
           tsvector_to_array(to_tsvector(search_language(f.lang), q)), f.rank
    from found f
    order by f.rank desc, f.kind, f.object_id
    $$;

-- The public portal's search: public documents (their text too), and the
-- titles of the activities, outcomes and indicators of the NAPs the tenant
-- publishes; nothing else.
create function search_public(q text, lim integer, skip integer)
    returns table (kind text, object_id bigint, nap_id bigint, title text, body text,
                   stems text[], rank real)
    language sql stable
    security definer
    set search_path = pg_catalog, public
    -- The index hands over at most about this many matches of a word found
    -- nearly everywhere, rather than every one.
    set gin_fuzzy_search_limit = 1000
    as $$
    with query as (select * from search_queries(q)),
    public as (
        select e.* from search_entries e
        where e.tenant_id = app_tenant_id()
          and ((e.kind = 'document' and e.public)
               or (e.kind in ('activity', 'outcome', 'indicator')
                   and exists (select 1 from naps n where n.tenant_id = e.tenant_id
                                                      and n.id = e.nap_id and n.published)))),
    keys as (
        (select e.kind, e.object_id from public e, query x
         where (e.lang = 'en' and e.title_tsv @@ x.en) or (e.lang = 'fr' and e.title_tsv @@ x.fr)
               or (e.lang = 'es' and e.title_tsv @@ x.es) or (e.lang = 'simple' and e.title_tsv @@ x.simple)
         limit 200)
        union
        -- A document's text is public; of the plan, only what the portal
        -- shows: titles.
        (select e.kind, e.object_id from public e, query x
         where e.kind = 'document'
           and ((e.lang = 'en' and e.tsv @@ x.en) or (e.lang = 'fr' and e.tsv @@ x.fr)
                or (e.lang = 'es' and e.tsv @@ x.es) or (e.lang = 'simple' and e.tsv @@ x.simple))
         limit 400)),
    found as (
        select e.kind, e.object_id, e.nap_id, e.title, e.lang, e.body,
               ts_rank(e.head, case e.lang when 'en' then x.en when 'fr' then x.fr
                                            when 'es' then x.es else x.simple end) as rank
        from keys k
        join search_entries e on e.tenant_id = app_tenant_id() and e.kind = k.kind and e.object_id = k.object_id,
             query x
        order by rank desc, e.kind, e.object_id
        limit lim offset skip
    )
    select f.kind, f.object_id, f.nap_id, f.title,
           case when f.kind = 'document' then left(f.body, 4000) else '' end,
           tsvector_to_array(to_tsvector(search_language(f.lang), q)), f.rank
    from found f
    order by f.rank desc, f.kind, f.object_id
    $$;
revoke all on function search_tenant(text, text, integer, integer) from public;
revoke all on function search_public(text, integer, integer) from public;
grant execute on function search_tenant(text, text, integer, integer) to nap_app;
grant execute on function search_public(text, integer, integer) to nap_app;
