-- The tags plans use. Per NAP, a list of pillars or strategic areas
-- (Prevention, Protection, Prosecution, Partnership) that objectives and
-- activities are tagged with, and a list of the other national plans its
-- activities overlap (shared with the national trafficking plan). An
-- activity can also carry a flag: a short note such as "source uncertain".

create table nap_tags (
    tenant_id bigint not null,
    id bigint generated always as identity,
    nap_id bigint not null,
    -- 'pillar' or 'plan' (another national plan).
    kind text not null check (kind in ('pillar', 'plan')),
    name text not null check (length(name) between 1 and 200),
    position integer not null default 0,
    primary key (tenant_id, id),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade
);
create unique index nap_tags_name_idx on nap_tags (tenant_id, nap_id, kind, lower(name));

create table objective_tags (
    tenant_id bigint not null,
    objective_id bigint not null,
    tag_id bigint not null,
    primary key (tenant_id, objective_id, tag_id),
    foreign key (tenant_id, objective_id) references objectives (tenant_id, id) on delete cascade,
    foreign key (tenant_id, tag_id) references nap_tags (tenant_id, id) on delete cascade
);
create index objective_tags_tag_idx on objective_tags (tenant_id, tag_id);

create table activity_tags (
    tenant_id bigint not null,
    activity_id bigint not null,
    tag_id bigint not null,
    primary key (tenant_id, activity_id, tag_id),
    foreign key (tenant_id, activity_id) references activities (tenant_id, id) on delete cascade,
    foreign key (tenant_id, tag_id) references nap_tags (tenant_id, id) on delete cascade
);
create index activity_tags_tag_idx on activity_tags (tenant_id, tag_id);

alter table activities add column flag text not null default '' check (length(flag) <= 500);

do $$
declare
    t text;
begin
    foreach t in array array['nap_tags', 'objective_tags', 'activity_tags'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id())
                        with check (tenant_id = app_tenant_id())', t);
        execute format('create trigger audit after insert or update or delete on %I
                        for each row execute function audit_row()', t);
    end loop;
end
$$;
