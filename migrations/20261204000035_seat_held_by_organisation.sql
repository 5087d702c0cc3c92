-- Published plans often name a committee's seat only by the organisation
-- that holds it ("Malaysian Employers Federation"), with neither a person
-- nor a post. Such a seat keeps its organisation and no name.
alter table committee_members drop constraint committee_members_holder_check;
alter table committee_members add constraint committee_members_holder_check
    check (holder in ('person', 'post', 'organisation', 'vacant'));
alter table committee_members drop constraint committee_members_name_check;
alter table committee_members add constraint committee_members_name_check
    check (case when holder in ('vacant', 'organisation') then name = ''
                else length(trim(name)) between 1 and 200 end);
alter table committee_members add constraint committee_members_organisation_check
    check (holder <> 'organisation' or partner_id is not null);
