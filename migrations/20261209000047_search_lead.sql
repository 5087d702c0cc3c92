-- Search reads less per request.
--
-- The page shows a few lines around the first matching word of each
-- result's first 4,000 characters. Those were cut from the whole body at
-- every search: a document's body is compressed, so each was decompressed
-- whole to cut it (a quarter of what a search cost the database). The cut
-- is now kept beside the body, uncompressed (storage external), and read
-- as it is.
alter table search_entries
    add column lead text generated always as (left(body, 4000)) stored,
    alter column lead set storage external;

-- The query, its stems, the tenant and the person are worked out once per
-- call as the functions' own constants, rather than in a SQL function that
-- was parsed and planned again at every search; a member who is not one
-- is turned away before anything is read.
create or replace function search_tenant(q text, only_kind text, lim integer, skip integer, align text)
    returns table (kind text, object_id bigint, nap_id bigint, path text, title text,
                   body text, stems text[], rank real)
    language plpgsql stable
    security definer
    set search_path = pg_catalog, public
    -- The index hands over at most about this many matches of a word found
    -- nearly everywhere, rather than every one.
    set gin_fuzzy_search_limit = 1000
    set plan_cache_mode = force_generic_plan
    as $$
#variable_conflict use_column
declare
    tenant constant bigint := app_tenant_id();
    person constant bigint := app_user_id();
    en constant tsquery := websearch_to_tsquery('public.en_unaccent', q);
    fr constant tsquery := websearch_to_tsquery('public.fr_unaccent', q);
    es constant tsquery := websearch_to_tsquery('public.es_unaccent', q);
    simple constant tsquery := websearch_to_tsquery('public.simple_unaccent', q);
    -- The query's words as each language stems them, for the page to mark.
    en_stems constant text[] := tsvector_to_array(to_tsvector('public.en_unaccent', q));
    fr_stems constant text[] := tsvector_to_array(to_tsvector('public.fr_unaccent', q));
    es_stems constant text[] := tsvector_to_array(to_tsvector('public.es_unaccent', q));
    simple_stems constant text[] := tsvector_to_array(to_tsvector('public.simple_unaccent', q));
begin
    if not exists (select 1 from memberships m
                   where m.tenant_id = tenant and m.user_id = person and m.active) then
        return;
    end if;
    return query
    with
    -- At most 30 title matches and 60 others are ranked: a word found in
    -- thousands of entries ranks a sample of them, its title matches first
    -- (more words narrow it). Each candidate read costs a random heap page,
    -- so their number is what a search costs.
    title_hits as (
        select * from (
            select e.kind, e.object_id, ts_rank(e.head, en) as rank, e.committee_only, e.created_by
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'en' and e.title_tsv @@ en
              and (only_kind = '' or e.kind = only_kind)
            union all
            select e.kind, e.object_id, ts_rank(e.head, fr) as rank, e.committee_only, e.created_by
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'fr' and e.title_tsv @@ fr
              and (only_kind = '' or e.kind = only_kind)
            union all
            select e.kind, e.object_id, ts_rank(e.head, es) as rank, e.committee_only, e.created_by
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'es' and e.title_tsv @@ es
              and (only_kind = '' or e.kind = only_kind)
            union all
            select e.kind, e.object_id, ts_rank(e.head, simple) as rank, e.committee_only, e.created_by
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'simple' and e.title_tsv @@ simple
              and (only_kind = '' or e.kind = only_kind)) h
        where (align = '' or alignment_serves(tenant, h.kind, h.object_id, align))
          and (h.committee_only is null or h.created_by = person
               or app_reads_committee(tenant, h.committee_only))
        limit 30),
    body_hits as (
        select * from (
            select e.kind, e.object_id, ts_rank(e.head, en) as rank, e.committee_only, e.created_by
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'en' and e.tsv @@ en
              and (only_kind = '' or e.kind = only_kind)
            union all
            select e.kind, e.object_id, ts_rank(e.head, fr) as rank, e.committee_only, e.created_by
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'fr' and e.tsv @@ fr
              and (only_kind = '' or e.kind = only_kind)
            union all
            select e.kind, e.object_id, ts_rank(e.head, es) as rank, e.committee_only, e.created_by
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'es' and e.tsv @@ es
              and (only_kind = '' or e.kind = only_kind)
            union all
            select e.kind, e.object_id, ts_rank(e.head, simple) as rank, e.committee_only, e.created_by
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'simple' and e.tsv @@ simple
              and (only_kind = '' or e.kind = only_kind)) h
        where (align = '' or alignment_serves(tenant, h.kind, h.object_id, align))
          and (h.committee_only is null or h.created_by = person
               or app_reads_committee(tenant, h.committee_only))
          -- Title matches rank first: when there are enough of them, the
          -- body's are not read at all.
          and (select count(*) from title_hits) < 30
        limit 60),
    top as (
        select h.kind, h.object_id, max(h.rank) as rank
        from (select t.kind, t.object_id, t.rank from title_hits t
              union all
              select b.kind, b.object_id, b.rank from body_hits b) h
        group by h.kind, h.object_id
        order by rank desc, h.kind, h.object_id
        limit lim offset skip)
    select e.kind, e.object_id, e.nap_id, e.path, e.title, e.lead,
           case e.lang when 'en' then en_stems when 'fr' then fr_stems when 'es' then es_stems
                       else simple_stems end,
           t.rank
    from top t
    join search_entries e on e.tenant_id = tenant and e.kind = t.kind and e.object_id = t.object_id
    order by t.rank desc, t.kind, t.object_id;
end
$$;

-- The portal's search, built the same way.
create or replace function search_public(q text, lim integer, skip integer)
    returns table (kind text, object_id bigint, nap_id bigint, title text, body text,
                   stems text[], rank real)
    language plpgsql stable
    security definer
    set search_path = pg_catalog, public
    set gin_fuzzy_search_limit = 1000
    set plan_cache_mode = force_generic_plan
    as $$
#variable_conflict use_column
declare
    tenant constant bigint := app_tenant_id();
    en constant tsquery := websearch_to_tsquery('public.en_unaccent', q);
    fr constant tsquery := websearch_to_tsquery('public.fr_unaccent', q);
    es constant tsquery := websearch_to_tsquery('public.es_unaccent', q);
    simple constant tsquery := websearch_to_tsquery('public.simple_unaccent', q);
    -- The query's words as each language stems them, for the page to mark.
    en_stems constant text[] := tsvector_to_array(to_tsvector('public.en_unaccent', q));
    fr_stems constant text[] := tsvector_to_array(to_tsvector('public.fr_unaccent', q));
    es_stems constant text[] := tsvector_to_array(to_tsvector('public.es_unaccent', q));
    simple_stems constant text[] := tsvector_to_array(to_tsvector('public.simple_unaccent', q));
begin
    return query
    with
    title_hits as (
        select * from (
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, en) as rank
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'en' and e.title_tsv @@ en
            union all
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, fr) as rank
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'fr' and e.title_tsv @@ fr
            union all
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, es) as rank
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'es' and e.title_tsv @@ es
            union all
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, simple) as rank
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'simple' and e.title_tsv @@ simple) h
        where (h.kind = 'document' and h.public)
           or (h.kind in ('activity', 'outcome', 'indicator')
               and exists (select 1 from naps n where n.tenant_id = tenant
                                                  and n.id = h.nap_id and n.published))
        limit 30),
    body_hits as (
        select * from (
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, en) as rank
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'en' and e.tsv @@ en and e.kind = 'document'
            union all
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, fr) as rank
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'fr' and e.tsv @@ fr and e.kind = 'document'
            union all
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, es) as rank
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'es' and e.tsv @@ es and e.kind = 'document'
            union all
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, simple) as rank
            from search_entries e
            where e.tenant_id = tenant and e.lang = 'simple' and e.tsv @@ simple and e.kind = 'document') h
        where (h.kind = 'document' and h.public)
           or (h.kind in ('activity', 'outcome', 'indicator')
               and exists (select 1 from naps n where n.tenant_id = tenant
                                                  and n.id = h.nap_id and n.published))
          -- Title matches rank first: with enough of them, bodies are not read.
          and (select count(*) from title_hits) < 30
        limit 60),
    top as (
        select h.kind, h.object_id, max(h.rank) as rank
        from (select t.kind, t.object_id, t.rank from title_hits t
              union all
              select b.kind, b.object_id, b.rank from body_hits b) h
        group by h.kind, h.object_id
        order by rank desc, h.kind, h.object_id
        limit lim offset skip)
    select e.kind, e.object_id, e.nap_id, e.title,
           case when e.kind = 'document' then e.lead else '' end,
           case e.lang when 'en' then en_stems when 'fr' then fr_stems when 'es' then es_stems
                       else simple_stems end,
           t.rank
    from top t
    join search_entries e on e.tenant_id = tenant and e.kind = t.kind and e.object_id = t.object_id
    order by t.rank desc, t.kind, t.object_id;
end
$$;

-- Nothing else called it.
drop function search_queries(text);
