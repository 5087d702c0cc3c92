-- A NAP's communication plan: what is said to whom, through which
-- channel, by which partner and when (time targets written as an
-- activity's are), in what state, and which activities it serves. Beside
-- it, the checklist on knowledge sharing that the annual review reads.
create table communication_items (
    tenant_id bigint not null,
    id bigint generated always as identity,
    nap_id bigint not null,
    code text not null check (length(code) between 1 and 20),
    -- 'internal' (among partners and committees) or 'external'.
    direction text not null check (direction in ('internal', 'external')),
    audience text not null check (audience in ('partners', 'policy-makers', 'public', 'communities',
                                               'employers', 'workers', 'media')),
    objective text not null check (length(objective) between 1 and 500),
    key_message text not null default '' check (length(key_message) <= 1000),
    channel text not null check (channel in ('newsletter', 'website', 'media', 'events', 'social-media',
                                             'meetings', 'training')),
    partner_id bigint,
    -- Time targets, compact and comma-separated ("2026Q3, Q4/yearly, 2027").
    targets text not null default '',
    state text not null default 'planned' check (state in ('planned', 'in-progress', 'done', 'dropped')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, nap_id, code),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade,
    foreign key (tenant_id, partner_id) references partners (tenant_id, id)
);
create trigger communication_items_updated_at before update on communication_items
    for each row execute function set_updated_at();

create table communication_activities (
    tenant_id bigint not null,
    item_id bigint not null,
    activity_id bigint not null,
    primary key (tenant_id, item_id, activity_id),
    foreign key (tenant_id, item_id) references communication_items (tenant_id, id) on delete cascade,
    foreign key (tenant_id, activity_id) references activities (tenant_id, id) on delete cascade
);

-- The checklist: one answer per NAP and question ('yes', 'no', or
-- 'not-known' until someone says), with a note.
create table knowledge_checklist (
    tenant_id bigint not null,
    nap_id bigint not null,
    question text not null check (question in ('sharing-in-plan', 'handovers', 'one-filing-place',
                                               'indicators-reported', 'review-planned',
                                               'external-communication', 'victims-data-rules')),
    answer text not null default 'not-known' check (answer in ('yes', 'no', 'not-known')),
    note text not null default '' check (length(note) <= 1000),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, nap_id, question),
    foreign key (tenant_id, nap_id) references naps (tenant_id, id) on delete cascade
);
create trigger knowledge_checklist_updated_at before update on knowledge_checklist
    for each row execute function set_updated_at();

do $$
declare
    t text;
begin
    foreach t in array array['communication_items', 'communication_activities', 'knowledge_checklist'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id())
                        with check (tenant_id = app_tenant_id())', t);
        execute format('create trigger audit after insert or update or delete on %I
                        for each row execute function audit_row()', t);
    end loop;
end
$$;
