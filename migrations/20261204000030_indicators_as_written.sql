-- Indicators as plans write them: on the NAP, an objective or an outcome;
-- a baseline and a target as the plan states them (a number, words such as
-- "baseline and end of 2025", or nothing); values in words for qualitative
-- indicators; a partner or a committee answers for one.

-- Where it sits: exactly one of the NAP, an objective, an outcome.
alter table indicators
    add column nap_id bigint,
    add column objective_id bigint,
    alter column outcome_id drop not null,
    add constraint indicators_nap_fkey
        foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade,
    add constraint indicators_objective_fkey
        foreign key (tenant_id, objective_id) references objectives (tenant_id, id) on delete cascade,
    add constraint indicators_place_check
        check (num_nonnulls(nap_id, objective_id, outcome_id) = 1);
create index indicators_nap_idx on indicators (tenant_id, nap_id);
create index indicators_objective_idx on indicators (tenant_id, objective_id);

-- The baseline and the target are the plan's words; a number is written in
-- its plain form ("100", "3.5"), and the *_number columns read it back, so
-- there is one truth and numbers stay numbers. Existing values are numbers
-- and keep their value (PostgreSQL writes a double so that it reads back
-- exactly). Empty means the plan states none.
alter table indicators
    alter column baseline drop default,
    alter column baseline type text using baseline::text,
    alter column baseline set default '',
    alter column target type text using target::text,
    alter column target set default '',
    add constraint indicators_baseline_check check (length(baseline) <= 500),
    add constraint indicators_target_check check (length(target) <= 500),
    add column baseline_number double precision generated always as (
        case when baseline ~ '^-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?$' then baseline::double precision end
    ) stored,
    add column target_number double precision generated always as (
        case when target ~ '^-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?$' then target::double precision end
    ) stored;

-- Qualitative indicators take their values in words.
alter table indicators add column qualitative boolean not null default false;

-- A committee may answer for an indicator instead of a partner.
alter table indicators
    add column responsible_committee_id bigint,
    add constraint indicators_responsible_committee_fkey
        foreign key (tenant_id, responsible_committee_id) references committees (tenant_id, id)
        on delete set null (responsible_committee_id),
    add constraint indicators_one_responsible_check
        check (num_nonnulls(responsible_partner_id, responsible_committee_id) <= 1);
create index indicators_committee_idx on indicators (tenant_id, responsible_committee_id);

-- A value is a number or, for a qualitative indicator, a text.
alter table indicator_values
    alter column value drop not null,
    add column value_text text check (length(trim(value_text)) between 1 and 2000),
    add constraint indicator_values_one_value_check check (num_nonnulls(value, value_text) = 1);
