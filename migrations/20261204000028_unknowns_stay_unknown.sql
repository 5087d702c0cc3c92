-- What the secretariat does not know stays unknown, and committees as plans
-- publish them.

-- A blank quorum means the terms of reference set none. Only the column's
-- nullability and default change: published rows keep what they said (the
-- frozen trigger guards rows, and no row is rewritten here).
alter table tor_versions alter column quorum_percent drop default;
alter table tor_versions alter column quorum_percent drop not null;

-- A seat is held by a named person, by a post title ("Secretary General,
-- Ministry of Human Resources") whose holder's name is not known, or by
-- nobody yet. A vacant seat has no name.
alter table committee_members
    add column holder text not null default 'person'
        check (holder in ('person', 'post', 'vacant'));
alter table committee_members drop constraint committee_members_name_check;
alter table committee_members add constraint committee_members_name_check
    check (case when holder = 'vacant' then name = ''
                else length(trim(name)) between 1 and 200 end);

-- A sub-group or technical committee may work on an objective (a strategic
-- goal) as well as on an outcome.
alter table committees add column objective_id bigint;
alter table committees add constraint committees_objective_fkey
    foreign key (tenant_id, objective_id) references objectives (tenant_id, id) on delete set null (objective_id);
create index committees_objective_idx on committees (tenant_id, objective_id);
create index committees_parent_idx on committees (tenant_id, parent_id);

-- More portfolios, and one whose name the secretariat writes.
alter table partners drop constraint partners_portfolio_check;
alter table partners add constraint partners_portfolio_check
    check (portfolio in ('labour', 'justice', 'interior', 'gender', 'education', 'economy',
                         'defence', 'foreign-affairs', 'home-affairs', 'other-named', 'other'));
alter table partners add column portfolio_name text not null default ''
    check (length(portfolio_name) <= 200);
alter table partners add constraint partners_portfolio_named_check
    check ((portfolio = 'other-named') = (length(trim(portfolio_name)) > 0));

-- A NAP's exact dates, when known, beside its years.
alter table naps add column adopted_on date;
alter table naps add column effective_from date;
alter table naps add column effective_to date;
alter table naps add constraint naps_effective_check
    check (effective_to is null or effective_from is null or effective_to >= effective_from);
