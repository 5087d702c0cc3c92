-- Terms of reference in the portal's other languages: each section as the
-- secretariat wrote it in French, Spanish or English,
-- `{"fr": {"mandate": "…"}, …}`. It is part of the version: a draft's
-- translations are frozen with it when it is published.
alter table tor_versions add column translations jsonb not null default '{}'
    check (jsonb_typeof(translations) = 'object');
