-- Codes in the order people read them ("2.9" before "2.10"), as a column
-- PostgreSQL can sort and index: numeric parts padded with zeros, other
-- parts after them. The quarter grid reads a page of the plan by index
-- instead of sorting all of it. Mirrors `code_key` in src/features/plan/model.rs.
create function code_order(code text) returns text
    language sql immutable strict parallel safe
    as $$
    select string_agg(case when part ~ '^[0-9]+$' then lpad(part, 20, '0') else '~' || part end, '.' order by n)
    from unnest(string_to_array(code, '.')) with ordinality as p(part, n)
$$;

alter table objectives add column code_order text collate "C" generated always as (code_order(code)) stored;
alter table outcomes add column code_order text collate "C" generated always as (code_order(code)) stored;
alter table activities add column code_order text collate "C" generated always as (code_order(code)) stored;

drop index activities_outcome_idx;
create index activities_outcome_idx on activities (tenant_id, outcome_id, code_order);

-- The sort key says nothing the code does not: keep it out of the audit log.
drop trigger audit on objectives;
drop trigger audit on outcomes;
drop trigger audit on activities;
create trigger audit after insert or update or delete on objectives
    for each row execute function audit_row('code_order');
create trigger audit after insert or update or delete on outcomes
    for each row execute function audit_row('code_order');
create trigger audit after insert or update or delete on activities
    for each row execute function audit_row('code_order');
