-- The committees' time: how often each committee meets (a closed list, so
-- a missed meeting can be computed), minutes the secretariat chose to
-- publish, and calendar feeds that bring meetings into people's own
-- calendars.

-- How often a committee meets. The free text it replaces stays, as
-- `meeting_frequency`, for what the list cannot say ("after each harvest");
-- where the list says it all, the text is cleared.
alter table committees
    add column meets text not null default 'as-needed'
        check (meets in ('monthly', 'every-two-months', 'quarterly', 'twice-a-year', 'yearly', 'as-needed'));

-- The closed value a secretariat's words mean, in English, French or
-- Spanish; 'as-needed' when they say nothing we recognise. Kept (not
-- dropped after use) so that a test can hold it to its examples.
create function committee_meets_from_text(said text) returns text
    language sql immutable
    as $$
        select case
            when s ~ '(two|2) ?months|bi-?monthly|deux mois|bimestr|dos meses' then 'every-two-months'
            when s ~ 'quarter|three months|3 months|four times|4 times|trimestr|trois mois|tres meses|cuatro veces|quatre fois'
                then 'quarterly'
            when s ~ 'twice|two times|six months|6 months|half-?year|semi-?annual|bi-?annual|semestr|deux fois|dos veces|seis meses|six mois'
                then 'twice-a-year'
            when s ~ 'month|mensu|mois|mes\y|week|hebdo|seman' then 'monthly'
            when s ~ 'year|annual|annuel|anual|\yan\y|\yaño' then 'yearly'
            else 'as-needed'
        end
        from (select lower(coalesce(said, '')) as s) words
    $$;

update committees set meets = committee_meets_from_text(meeting_frequency);
-- Words the list now says alone are not worth keeping beside it.
update committees set meeting_frequency = ''
where lower(trim(meeting_frequency)) in (
    'monthly', 'every month', 'once a month', 'each month', 'mensuel', 'mensuelle', 'tous les mois',
    'chaque mois', 'mensual', 'cada mes', 'todos los meses',
    'every two months', 'every 2 months', 'bimonthly', 'bi-monthly', 'tous les deux mois', 'bimestriel',
    'bimestrielle', 'cada dos meses', 'bimestral',
    'quarterly', 'every quarter', 'every three months', 'every 3 months', 'four times a year',
    '4 times a year', 'trimestriel', 'trimestrielle', 'chaque trimestre', 'tous les trois mois',
    'trimestral', 'cada trimestre', 'cada tres meses',
    'twice a year', 'twice yearly', 'every six months', 'every 6 months', 'half-yearly', 'semi-annually',
    'biannually', 'deux fois par an', 'semestriel', 'semestrielle', 'dos veces al año', 'semestral',
    'yearly', 'annually', 'once a year', 'every year', 'annual', 'annuel', 'annuelle', 'une fois par an',
    'chaque année', 'anual', 'una vez al año', 'cada año',
    'as needed', 'when needed', 'ad hoc', 'as required', 'au besoin', 'selon les besoins',
    'según sea necesario', 'cuando sea necesario');

-- Minutes stay inside the tenant until the secretariat publishes them; a
-- committee's public page shows only published minutes.
alter table meetings add column minutes_published boolean not null default false;

-- Calendar feeds: a secret address per person, for the meetings of the
-- committees where they hold a seat (committee_id null), or for one
-- committee's meetings. Each belongs to the membership it was issued
-- through, so deactivating the member ends their feeds; a person has at
-- most one of each kind, and getting a new one replaces the old.
create table calendar_feeds (
    tenant_id bigint not null references tenants (id) on delete cascade,
    id bigint generated always as identity,
    membership_id bigint not null,
    user_id bigint not null references users (id) on delete cascade,
    committee_id bigint,
    -- Only the SHA-256 of the token is stored.
    token_hash text not null unique,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique nulls not distinct (tenant_id, membership_id, committee_id),
    foreign key (tenant_id, membership_id) references memberships (tenant_id, id) on delete cascade,
    foreign key (tenant_id, committee_id) references committees (tenant_id, id) on delete cascade
);

alter table calendar_feeds enable row level security;
alter table calendar_feeds force row level security;
create policy tenant_isolation on calendar_feeds
    using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
-- Whoever presents a feed's token may read its row before any tenant is
-- known (app.feed_token carries its hash for one transaction), as with
-- account links. Only enter_calendar_feed sets it.
create policy by_token on calendar_feeds for select
    using (token_hash = nullif(current_setting('app.feed_token', true), ''));

-- The application never reads a hash back: it writes one, and looks a
-- token up only through enter_calendar_feed.
revoke select on calendar_feeds from nap_app;
grant select (tenant_id, id, membership_id, user_id, committee_id, created_at) on calendar_feeds to nap_app;

create trigger audit after insert or update or delete on calendar_feeds
    for each row execute function audit_row('token_hash');

-- A calendar client's way into a tenant: no session, only the token. The
-- feed whose hash this is, if its member and account are still active;
-- the transaction is then scoped to the feed's tenant and person (through
-- app_set_scope, like every way in), and left unscoped otherwise.
-- SECURITY DEFINER with a fixed search path: it reads the hash, which the
-- application role cannot.
create function enter_calendar_feed(hash text)
    returns table (tenant_id bigint, slug text, name text, default_language text, user_id bigint,
                   committee_id bigint)
    language plpgsql
    security definer
    set search_path = pg_catalog, public
    as $$
declare
    feed calendar_feeds;
begin
    perform set_config('app.feed_token', coalesce(hash, ''), true);
    select * into feed from calendar_feeds f where f.token_hash = hash;
    perform set_config('app.feed_token', '', true);
    if feed.id is null then
        return;
    end if;
    perform app_set_scope(feed.tenant_id, feed.user_id, '');
    return query
        select t.id, t.slug, t.name, t.default_language, feed.user_id, feed.committee_id
        from tenants t
        join memberships m on m.tenant_id = t.id and m.id = feed.membership_id and m.active
        join users u on u.id = m.user_id and u.active
        where t.id = feed.tenant_id;
    if not found then
        perform app_set_scope(null, null, '');
    end if;
end
$$;
revoke all on function enter_calendar_feed(text) from public;
grant execute on function enter_calendar_feed(text) to nap_app;
