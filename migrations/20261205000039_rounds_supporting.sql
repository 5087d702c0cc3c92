-- A NAP's rounds may also expect an update from each supporting partner of
-- an activity, not only from its lead.
alter table naps add column rounds_expect_supporting boolean not null default false;
