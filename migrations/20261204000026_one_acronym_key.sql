-- One rule for a partner's acronym: unique in its tenant whatever its case
-- (partners_acronym_any_case_key). The older exact-case constraint is
-- stricter than nothing and looser than that rule, and a duplicate caught by
-- it rather than by the rule reached the form as a server error.
alter table partners drop constraint partners_tenant_id_acronym_key;
