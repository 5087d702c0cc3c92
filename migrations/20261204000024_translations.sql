-- What the secretariat writes in the other languages of the portal: titles
-- of plans, objectives, outcomes and activities, a plan's summary, partner
-- names. `{"fr": {"title": "…"}, "es": {…}}`; the columns themselves stay
-- in the tenant's language, which readers get where nothing was written.
alter table naps add column translations jsonb not null default '{}'
    check (jsonb_typeof(translations) = 'object');
alter table objectives add column translations jsonb not null default '{}'
    check (jsonb_typeof(translations) = 'object');
alter table outcomes add column translations jsonb not null default '{}'
    check (jsonb_typeof(translations) = 'object');
alter table activities add column translations jsonb not null default '{}'
    check (jsonb_typeof(translations) = 'object');
alter table partners add column translations jsonb not null default '{}'
    check (jsonb_typeof(translations) = 'object');
