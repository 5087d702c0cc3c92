-- What a plan serves beyond itself: the Sustainable Development Goal
-- targets (8.7 above all) and the ILO instruments (C29 and its Protocol,
-- C138, C182 …) that its parts are tagged with. The reference list is one
-- for every tenant and read-only to them; the tags are each tenant's own.

create table alignment_refs (
    -- '8.7' for an SDG target, 'C29', 'P29', 'R203' for an ILO instrument.
    code text primary key check (code ~ '^([0-9]{1,2}\.[0-9a-z]{1,2}|[CPR][0-9]{1,3})$'),
    kind text not null check (kind in ('sdg', 'ilo')),
    position integer not null,
    title_en text not null,
    title_fr text not null,
    title_es text not null
);
-- Shared and fixed: the application reads it and changes nothing.
revoke insert, update, delete, truncate on alignment_refs from nap_app;
grant select on alignment_refs to nap_app;

insert into alignment_refs (code, kind, position, title_en, title_fr, title_es) values
('1.3', 'sdg', 10, 'Social protection systems for all, including floors',
 'Des systèmes de protection sociale pour tous, y compris des socles',
 'Sistemas de protección social para todos, incluidos niveles mínimos'),
('4.1', 'sdg', 20, 'Free, equitable and good primary and secondary schooling for every child',
 'Un enseignement primaire et secondaire gratuit, équitable et de qualité pour chaque enfant',
 'Enseñanza primaria y secundaria gratuita, equitativa y de calidad para cada niño'),
('5.2', 'sdg', 30, 'End violence against women and girls, trafficking and sexual exploitation included',
 'Éliminer la violence envers les femmes et les filles, traite et exploitation sexuelle comprises',
 'Eliminar la violencia contra las mujeres y las niñas, incluidas la trata y la explotación sexual'),
('5.3', 'sdg', 40, 'End child, early and forced marriage and female genital mutilation',
 'Éliminer le mariage des enfants, précoce ou forcé, et les mutilations génitales féminines',
 'Eliminar el matrimonio infantil, precoz y forzado y la mutilación genital femenina'),
('8.5', 'sdg', 50, 'Decent work for all, with equal pay for work of equal value',
 'Un travail décent pour tous, à travail de valeur égale salaire égal',
 'Trabajo decente para todos, con igual remuneración por trabajo de igual valor'),
('8.7', 'sdg', 60, 'End forced labour, modern slavery, human trafficking and every form of child labour',
 'Éliminer le travail forcé, l''esclavage moderne, la traite des êtres humains et toutes les formes de travail des enfants',
 'Erradicar el trabajo forzoso, la esclavitud moderna, la trata de personas y toda forma de trabajo infantil'),
('8.8', 'sdg', 70, 'Labour rights and safe workplaces for all workers, migrant workers included',
 'Les droits des travailleurs et des lieux de travail sûrs pour tous, travailleurs migrants compris',
 'Derechos laborales y lugares de trabajo seguros para todos, incluidos los trabajadores migrantes'),
('10.7', 'sdg', 80, 'Orderly, safe, regular and responsible migration',
 'Des migrations ordonnées, sûres, régulières et responsables',
 'Migración ordenada, segura, regular y responsable'),
('16.2', 'sdg', 90, 'End abuse, exploitation, trafficking and violence against children',
 'Mettre fin à la maltraitance, à l''exploitation, à la traite et à la violence envers les enfants',
 'Poner fin al maltrato, la explotación, la trata y la violencia contra los niños'),
('16.3', 'sdg', 100, 'The rule of law and equal access to justice for all',
 'L''état de droit et l''égal accès de tous à la justice',
 'El estado de derecho y la igualdad de acceso a la justicia para todos'),
('C29', 'ilo', 210, 'Forced Labour Convention, 1930 (No. 29)',
 'Convention (n° 29) sur le travail forcé, 1930',
 'Convenio sobre el trabajo forzoso, 1930 (núm. 29)'),
('P29', 'ilo', 220, 'Protocol of 2014 to the Forced Labour Convention, 1930',
 'Protocole de 2014 relatif à la convention sur le travail forcé, 1930',
 'Protocolo de 2014 relativo al Convenio sobre el trabajo forzoso, 1930'),
('R203', 'ilo', 230, 'Forced Labour (Supplementary Measures) Recommendation, 2014 (No. 203)',
 'Recommandation (n° 203) sur le travail forcé (mesures complémentaires), 2014',
 'Recomendación sobre el trabajo forzoso (medidas complementarias), 2014 (núm. 203)'),
('C105', 'ilo', 240, 'Abolition of Forced Labour Convention, 1957 (No. 105)',
 'Convention (n° 105) sur l''abolition du travail forcé, 1957',
 'Convenio sobre la abolición del trabajo forzoso, 1957 (núm. 105)'),
('C138', 'ilo', 250, 'Minimum Age Convention, 1973 (No. 138)',
 'Convention (n° 138) sur l''âge minimum, 1973',
 'Convenio sobre la edad mínima, 1973 (núm. 138)'),
('C182', 'ilo', 260, 'Worst Forms of Child Labour Convention, 1999 (No. 182)',
 'Convention (n° 182) sur les pires formes de travail des enfants, 1999',
 'Convenio sobre las peores formas de trabajo infantil, 1999 (núm. 182)'),
('R190', 'ilo', 270, 'Worst Forms of Child Labour Recommendation, 1999 (No. 190)',
 'Recommandation (n° 190) sur les pires formes de travail des enfants, 1999',
 'Recomendación sobre las peores formas de trabajo infantil, 1999 (núm. 190)'),
('C181', 'ilo', 280, 'Private Employment Agencies Convention, 1997 (No. 181)',
 'Convention (n° 181) sur les agences d''emploi privées, 1997',
 'Convenio sobre las agencias de empleo privadas, 1997 (núm. 181)'),
('C189', 'ilo', 290, 'Domestic Workers Convention, 2011 (No. 189)',
 'Convention (n° 189) sur les travailleuses et travailleurs domestiques, 2011',
 'Convenio sobre las trabajadoras y los trabajadores domésticos, 2011 (núm. 189)'),
('C190', 'ilo', 300, 'Violence and Harassment Convention, 2019 (No. 190)',
 'Convention (n° 190) sur la violence et le harcèlement, 2019',
 'Convenio sobre la violencia y el acoso, 2019 (núm. 190)'),
('C81', 'ilo', 310, 'Labour Inspection Convention, 1947 (No. 81)',
 'Convention (n° 81) sur l''inspection du travail, 1947',
 'Convenio sobre la inspección del trabajo, 1947 (núm. 81)'),
('C129', 'ilo', 320, 'Labour Inspection (Agriculture) Convention, 1969 (No. 129)',
 'Convention (n° 129) sur l''inspection du travail (agriculture), 1969',
 'Convenio sobre la inspección del trabajo (agricultura), 1969 (núm. 129)'),
('C97', 'ilo', 330, 'Migration for Employment Convention (Revised), 1949 (No. 97)',
 'Convention (n° 97) sur les travailleurs migrants (révisée), 1949',
 'Convenio sobre los trabajadores migrantes (revisado), 1949 (núm. 97)'),
('C143', 'ilo', 340, 'Migrant Workers (Supplementary Provisions) Convention, 1975 (No. 143)',
 'Convention (n° 143) sur les travailleurs migrants (dispositions complémentaires), 1975',
 'Convenio sobre los trabajadores migrantes (disposiciones complementarias), 1975 (núm. 143)'),
('C87', 'ilo', 350, 'Freedom of Association and Protection of the Right to Organise Convention, 1948 (No. 87)',
 'Convention (n° 87) sur la liberté syndicale et la protection du droit syndical, 1948',
 'Convenio sobre la libertad sindical y la protección del derecho de sindicación, 1948 (núm. 87)'),
('C98', 'ilo', 360, 'Right to Organise and Collective Bargaining Convention, 1949 (No. 98)',
 'Convention (n° 98) sur le droit d''organisation et de négociation collective, 1949',
 'Convenio sobre el derecho de sindicación y de negociación colectiva, 1949 (núm. 98)');

-- A tag: the NAP itself (no part named), or one of its objectives,
-- outcomes or activities, serves a reference. An activity serves what it
-- is tagged with and what its outcome, objective and NAP are.
create table alignment_tags (
    tenant_id bigint not null,
    id bigint generated always as identity,
    nap_id bigint not null,
    objective_id bigint,
    outcome_id bigint,
    activity_id bigint,
    ref_code text not null references alignment_refs (code),
    primary key (tenant_id, id),
    check (num_nonnulls(objective_id, outcome_id, activity_id) <= 1),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade,
    foreign key (tenant_id, objective_id) references objectives (tenant_id, id) on delete cascade,
    foreign key (tenant_id, outcome_id) references outcomes (tenant_id, id) on delete cascade,
    foreign key (tenant_id, activity_id) references activities (tenant_id, id) on delete cascade
);
create unique index alignment_tags_nap_idx on alignment_tags (tenant_id, nap_id, ref_code)
    where objective_id is null and outcome_id is null and activity_id is null;
create unique index alignment_tags_objective_idx on alignment_tags (tenant_id, objective_id, ref_code)
    where objective_id is not null;
create unique index alignment_tags_outcome_idx on alignment_tags (tenant_id, outcome_id, ref_code)
    where outcome_id is not null;
create unique index alignment_tags_activity_idx on alignment_tags (tenant_id, activity_id, ref_code)
    where activity_id is not null;
create index alignment_tags_ref_idx on alignment_tags (tenant_id, nap_id, ref_code);
-- Which references a tenant uses at all (the search page's filter).
create index alignment_tags_code_idx on alignment_tags (tenant_id, ref_code);

alter table alignment_tags enable row level security;
alter table alignment_tags force row level security;
create policy tenant_isolation on alignment_tags using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
create trigger audit after insert or update or delete on alignment_tags
    for each row execute function audit_row();

-- Whether an activity serves a reference: tagged itself, or its outcome,
-- its objective or its NAP is; each a probe of one unique index.
create function activity_serves(tenant bigint, activity bigint, wanted text) returns boolean
    language sql stable
    set search_path = pg_catalog, public
    as $$
    select exists (
        select 1 from activities a join outcomes oc on oc.tenant_id = a.tenant_id and oc.id = a.outcome_id
        where a.tenant_id = tenant and a.id = activity
          and (exists (select 1 from alignment_tags t
                       where t.tenant_id = tenant and t.activity_id = a.id and t.ref_code = wanted)
               or exists (select 1 from alignment_tags t
                          where t.tenant_id = tenant and t.outcome_id = a.outcome_id and t.ref_code = wanted)
               or exists (select 1 from alignment_tags t
                          where t.tenant_id = tenant and t.objective_id = oc.objective_id and t.ref_code = wanted)
               or exists (select 1 from alignment_tags t
                          where t.tenant_id = tenant and t.nap_id = a.nap_id and t.ref_code = wanted
                            and t.objective_id is null and t.outcome_id is null and t.activity_id is null)))
    $$;

-- The free-text SDG targets become tags where they name a known target;
-- whatever else they said is kept, word for word, with the national
-- alignment, rather than lost.
insert into alignment_tags (tenant_id, nap_id, ref_code)
select distinct n.tenant_id, n.id, r.code
from naps n
cross join lateral regexp_split_to_table(n.sdg_targets, '[,;\n]+') as token
join alignment_refs r
  on r.code = upper(regexp_replace(regexp_replace(trim(token), '^(sdg|odd|ods)\s*', '', 'i'), '\s+', '', 'g'));

update naps n
set national_alignment = concat_ws(E'\n\n', nullif(n.national_alignment, ''), 'SDG: ' || n.sdg_targets)
where exists (
    select 1 from regexp_split_to_table(n.sdg_targets, '[,;\n]+') as token
    where trim(token) <> ''
      and not exists (
          select 1 from alignment_refs r
          where r.code = upper(regexp_replace(regexp_replace(trim(token), '^(sdg|odd|ods)\s*', '', 'i'), '\s+', '', 'g'))));

alter table naps drop column sdg_targets;

-- Search narrowed to what serves an SDG target or ILO instrument: the
-- activities that serve it (their own tags and those they inherit), their
-- updates, and the outcomes that serve it.
create function alignment_serves(tenant bigint, kind text, object bigint, wanted text) returns boolean
    language sql stable
    set search_path = pg_catalog, public
    as $$
    select case kind
        when 'activity' then activity_serves(tenant, object, wanted)
        when 'update' then exists (
            select 1 from status_updates u
            where u.tenant_id = tenant and u.id = object and activity_serves(tenant, u.activity_id, wanted))
        when 'outcome' then exists (
            select 1 from outcomes oc
            join alignment_tags t on t.tenant_id = oc.tenant_id and t.nap_id = oc.nap_id and t.ref_code = wanted
            where oc.tenant_id = tenant and oc.id = object
              and (t.outcome_id = oc.id or t.objective_id = oc.objective_id
                   or num_nonnulls(t.objective_id, t.outcome_id, t.activity_id) = 0))
        else false end
    $$;

drop function search_tenant(text, text, integer, integer);
-- A member's search, as before, narrowed by `align` when it names a
-- reference. PL/pgSQL so that its plan is made once per connection (a SQL
-- function's is made at every call); one branch per language, so that the
-- index alone decides a match (with the languages in one condition, each
-- candidate's whole vector was read again); each candidate is ranked as it
-- is found, and only the page's rows are read whole.
create function search_tenant(q text, only_kind text, lim integer, skip integer, align text)
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
begin
    return query
    with query as (select * from search_queries(q)),
    -- The query's words as each language stems them, for the page to mark.
    stems as (
        select tsvector_to_array(to_tsvector('public.en_unaccent', q)) as en_stems,
               tsvector_to_array(to_tsvector('public.fr_unaccent', q)) as fr_stems,
               tsvector_to_array(to_tsvector('public.es_unaccent', q)) as es_stems,
               tsvector_to_array(to_tsvector('public.simple_unaccent', q)) as simple_stems),
    member as (
        select exists (select 1 from memberships m
                       where m.tenant_id = app_tenant_id() and m.user_id = app_user_id() and m.active) as ok),
    -- At most 30 title matches and 60 others are ranked: a word found in
    -- thousands of entries ranks a sample of them, its title matches first
    -- (more words narrow it). Each candidate read costs a random heap page,
    -- so their number is what a search costs.
    title_hits as (
        select * from (
            select e.kind, e.object_id, ts_rank(e.head, x.en) as rank, e.committee_only, e.created_by
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'en' and e.title_tsv @@ x.en
              and (only_kind = '' or e.kind = only_kind)
            union all
            select e.kind, e.object_id, ts_rank(e.head, x.fr) as rank, e.committee_only, e.created_by
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'fr' and e.title_tsv @@ x.fr
              and (only_kind = '' or e.kind = only_kind)
            union all
            select e.kind, e.object_id, ts_rank(e.head, x.es) as rank, e.committee_only, e.created_by
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'es' and e.title_tsv @@ x.es
              and (only_kind = '' or e.kind = only_kind)
            union all
            select e.kind, e.object_id, ts_rank(e.head, x.simple) as rank, e.committee_only, e.created_by
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'simple' and e.title_tsv @@ x.simple
              and (only_kind = '' or e.kind = only_kind)) h
        where (align = '' or alignment_serves(app_tenant_id(), h.kind, h.object_id, align))
          and (h.committee_only is null or h.created_by = app_user_id()
               or app_reads_committee(app_tenant_id(), h.committee_only))
        limit 30),
    body_hits as (
        select * from (
            select e.kind, e.object_id, ts_rank(e.head, x.en) as rank, e.committee_only, e.created_by
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'en' and e.tsv @@ x.en
              and (only_kind = '' or e.kind = only_kind)
            union all
            select e.kind, e.object_id, ts_rank(e.head, x.fr) as rank, e.committee_only, e.created_by
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'fr' and e.tsv @@ x.fr
              and (only_kind = '' or e.kind = only_kind)
            union all
            select e.kind, e.object_id, ts_rank(e.head, x.es) as rank, e.committee_only, e.created_by
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'es' and e.tsv @@ x.es
              and (only_kind = '' or e.kind = only_kind)
            union all
            select e.kind, e.object_id, ts_rank(e.head, x.simple) as rank, e.committee_only, e.created_by
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'simple' and e.tsv @@ x.simple
              and (only_kind = '' or e.kind = only_kind)) h
        where (align = '' or alignment_serves(app_tenant_id(), h.kind, h.object_id, align))
          and (h.committee_only is null or h.created_by = app_user_id()
               or app_reads_committee(app_tenant_id(), h.committee_only))
          -- Title matches rank first: when there are enough of them, the
          -- body's are not read at all.
          and (select count(*) from title_hits) < 30
        limit 60),
    top as (
        select h.kind, h.object_id, max(h.rank) as rank
        from (select t.kind, t.object_id, t.rank from title_hits t
              union all
              select b.kind, b.object_id, b.rank from body_hits b) h, member
        where member.ok
        group by h.kind, h.object_id
        order by rank desc, h.kind, h.object_id
        limit lim offset skip)
    select e.kind, e.object_id, e.nap_id, e.path, e.title, left(e.body, 4000),
           case e.lang when 'en' then x.en_stems when 'fr' then x.fr_stems when 'es' then x.es_stems
                       else x.simple_stems end,
           t.rank
    from top t
    cross join stems x
    join search_entries e on e.tenant_id = app_tenant_id() and e.kind = t.kind and e.object_id = t.object_id
    order by t.rank desc, t.kind, t.object_id;
end
$$;

revoke all on function search_tenant(text, text, integer, integer, text) from public;
grant execute on function search_tenant(text, text, integer, integer, text) to nap_app;

-- The portal's search, built as the members' is (planned once per
-- connection, one branch per language, candidates ranked as found, at most
-- 30 title and 60 document matches): public documents, their text too, and
-- the titles of published NAPs' activities, outcomes and indicators,
-- ranked by their titles alone.
drop function search_public(text, integer, integer);
create function search_public(q text, lim integer, skip integer)
    returns table (kind text, object_id bigint, nap_id bigint, title text, body text,
                   stems text[], rank real)
    language plpgsql stable
    security definer
    set search_path = pg_catalog, public
    set gin_fuzzy_search_limit = 1000
    set plan_cache_mode = force_generic_plan
    as $$
#variable_conflict use_column
begin
    return query
    with query as (select * from search_queries(q)),
    stems as (
        select tsvector_to_array(to_tsvector('public.en_unaccent', q)) as en_stems,
               tsvector_to_array(to_tsvector('public.fr_unaccent', q)) as fr_stems,
               tsvector_to_array(to_tsvector('public.es_unaccent', q)) as es_stems,
               tsvector_to_array(to_tsvector('public.simple_unaccent', q)) as simple_stems),
    title_hits as (
        select * from (
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, x.en) as rank
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'en' and e.title_tsv @@ x.en
            union all
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, x.fr) as rank
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'fr' and e.title_tsv @@ x.fr
            union all
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, x.es) as rank
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'es' and e.title_tsv @@ x.es
            union all
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, x.simple) as rank
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'simple' and e.title_tsv @@ x.simple) h
        where (h.kind = 'document' and h.public)
           or (h.kind in ('activity', 'outcome', 'indicator')
               and exists (select 1 from naps n where n.tenant_id = app_tenant_id()
                                                  and n.id = h.nap_id and n.published))
        limit 30),
    body_hits as (
        select * from (
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, x.en) as rank
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'en' and e.tsv @@ x.en and e.kind = 'document'
            union all
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, x.fr) as rank
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'fr' and e.tsv @@ x.fr and e.kind = 'document'
            union all
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, x.es) as rank
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'es' and e.tsv @@ x.es and e.kind = 'document'
            union all
            select e.kind, e.object_id, e.nap_id, e.public,
                   ts_rank(case when e.kind = 'document' then e.head else e.title_tsv end, x.simple) as rank
            from search_entries e, query x
            where e.tenant_id = app_tenant_id() and e.lang = 'simple' and e.tsv @@ x.simple and e.kind = 'document') h
        where (h.kind = 'document' and h.public)
           or (h.kind in ('activity', 'outcome', 'indicator')
               and exists (select 1 from naps n where n.tenant_id = app_tenant_id()
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
           case when e.kind = 'document' then left(e.body, 4000) else '' end,
           case e.lang when 'en' then x.en_stems when 'fr' then x.fr_stems when 'es' then x.es_stems
                       else x.simple_stems end,
           t.rank
    from top t
    cross join stems x
    join search_entries e on e.tenant_id = app_tenant_id() and e.kind = t.kind and e.object_id = t.object_id
    order by t.rank desc, t.kind, t.object_id;
end
$$;

revoke all on function search_public(text, integer, integer) from public;
grant execute on function search_public(text, integer, integer) to nap_app;
