-- Pages that draw occurrences need to know which are a whole year's: kept
-- on the occurrence itself, so they read the occurrences by activity alone
-- instead of joining every time target. And the dashboard counts flagged
-- activities from an index of those alone.
alter table target_occurrences add column whole_year boolean not null default false;
update target_occurrences o set whole_year = true
from time_targets t
where t.tenant_id = o.tenant_id and t.id = o.target_id and t.quarter is null;

create index activities_flagged_idx on activities (tenant_id, nap_id) where flag <> '';
