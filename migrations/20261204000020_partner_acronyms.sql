-- Acronyms are unique in a tenant whatever their case ("MOL" and "mol" name
-- one partner), kept by the database rather than by a check before
-- writing, which two requests could pass at once.
create unique index partners_acronym_any_case_key on partners (tenant_id, lower(acronym));
