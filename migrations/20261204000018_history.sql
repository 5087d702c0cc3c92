-- History is append-only for the application: what was reported, minuted
-- or logged is never rewritten. Corrections are new rows.

-- A status update may only be reviewed, once: the application role can
-- touch nothing but the review's own columns, and only while it waits.
revoke update on status_updates from nap_app;
grant update (review_state, review_comment, reviewed_by, reviewed_at) on status_updates to nap_app;

create function status_updates_reviewed_once() returns trigger
    language plpgsql
    as $$
begin
    if old.review_state <> 'pending' then
        raise exception 'a reviewed status update cannot change' using errcode = 'check_violation';
    end if;
    return new;
end
$$;
create trigger status_updates_reviewed_once before update on status_updates
    for each row execute function status_updates_reviewed_once();

-- Decisions are minuted as they are taken: never changed, never removed.
revoke update, delete, truncate on decisions from nap_app;

-- Published terms of reference were already frozen by a trigger for every
-- role (migration 5), and the audit log by revoked rights (migration 8).
