-- Time targets as plans write them: a whole year ("2023": some time that
-- year) beside the quarter and the yearly quarter, and targets set on an
-- outcome or an objective, which its activities without targets of their
-- own inherit. An inherited target expands into occurrences of each such
-- activity, so meeting, missing and counting work as for its own targets.

alter table time_targets
    alter column activity_id drop not null,
    alter column quarter drop not null,
    add column outcome_id bigint,
    add column objective_id bigint,
    add foreign key (tenant_id, outcome_id) references outcomes (tenant_id, id) on delete cascade,
    add foreign key (tenant_id, objective_id) references objectives (tenant_id, id) on delete cascade,
    -- A year, a quarter every year, or a quarter of a year; never neither.
    add constraint time_targets_when check (year is not null or quarter is not null),
    -- On exactly one activity, outcome or objective.
    add constraint time_targets_on check (num_nonnulls(activity_id, outcome_id, objective_id) = 1),
    drop constraint time_targets_tenant_id_activity_id_year_quarter_key,
    add constraint time_targets_once
        unique nulls not distinct (tenant_id, activity_id, outcome_id, objective_id, year, quarter);
create index time_targets_outcome_idx on time_targets (tenant_id, outcome_id) where outcome_id is not null;
create index time_targets_objective_idx on time_targets (tenant_id, objective_id) where objective_id is not null;

-- One target of an outcome falls on each of its activities.
alter table target_occurrences
    drop constraint target_occurrences_tenant_id_target_id_quarter_index_key,
    add constraint target_occurrences_once unique (tenant_id, target_id, activity_id, quarter_index);
