use axum::http::StatusCode;
use nap_oversight::authz::Role;

use crate::common::TestApp;

async fn two_tenants() -> TestApp {
    TestApp::init()
        .with_tenant("aland")
        .with_tenant("borea")
        .with_tenant("aland")
        .with_user("obs@aland.test", Role::Observer)
        .with_user("sec@aland.test", Role::Secretariat)
        .with_tenant("borea")
        .with_user("sec@borea.test", Role::Secretariat)
        .build()
        .await
}

#[tokio::test]
async fn a_member_of_one_tenant_gets_404_for_another() {
    let app = two_tenants().await;
    let mut observer = app.signed_in("obs@aland.test").await;
    assert_eq!(observer.get("/t/aland/").await.status, StatusCode::OK);
    for path in [
        "/t/borea/",
        "/t/borea/members",
        "/t/nowhere/",
        "/t/nowhere/members",
    ] {
        let res = observer.get(path).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            !res.body.contains("borea"),
            "{path} must not name the other tenant"
        );
    }
    // The secretariat of A cannot touch B's members either, even by id.
    let borea_member: i64 = app.count("select id from memberships where tenant_id = (select id from tenants where slug = 'borea')").await;
    let mut sec = app.signed_in("sec@aland.test").await;
    let token = sec.get("/t/aland/members").await.csrf();
    for action in ["deactivate", "activate"] {
        let res = sec
            .post(
                &format!("/t/borea/members/{borea_member}/{action}"),
                &[("csrf", &token)],
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
        // Through A's address, B's membership id does not exist.
        let res = sec
            .post(
                &format!("/t/aland/members/{borea_member}/{action}"),
                &[("csrf", &token)],
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(
        app.count("select count(*) from memberships where not active")
            .await,
        0
    );
}

#[tokio::test]
async fn one_person_holds_different_roles_in_different_tenants() {
    let app = two_tenants().await;
    app.member("borea", "obs@aland.test", Role::Secretariat, None, false)
        .await;
    let mut person = app.signed_in("obs@aland.test").await;
    assert_eq!(
        person.get("/t/aland/members").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(person.get("/t/borea/members").await.status, StatusCode::OK);
    let home = person.get("/").await;
    assert_eq!(
        home.texts(".cards a"),
        vec!["Committee of aland", "Committee of borea"]
    );
    assert_eq!(home.texts(".cards .badge"), vec!["Observer", "Secretariat"]);
}

#[tokio::test]
async fn without_a_tenant_set_the_application_sees_no_tenant_rows() {
    let app = two_tenants().await;
    app.member("borea", "obs@aland.test", Role::Observer, None, false)
        .await;
    assert!(
        app.count("select count(*) from memberships").await >= 3,
        "rows exist (seen by the owner)"
    );
    let mut conn = app.pool.acquire().await.unwrap();
    for table in ["memberships", "partners"] {
        let n: i64 = sqlx::query_scalar(&format!("select count(*) from {table}"))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table} without a tenant");
    }
    // With a tenant set, only that tenant's rows.
    let aland: i64 = app
        .count("select id from tenants where slug = 'aland'")
        .await;
    let mut tx = nap_oversight::tenancy::scope::begin(&app.pool, aland, None)
        .await
        .unwrap();
    let foreign: i64 = sqlx::query_scalar("select count(*) from partners where tenant_id <> $1")
        .bind(aland)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let own: i64 = sqlx::query_scalar("select count(*) from partners")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!((foreign, own), (0, 5));
    // Inside a tenant, even my own memberships elsewhere stay out of sight.
    let me: i64 = app
        .count("select id from users where email = 'obs@aland.test'")
        .await;
    nap_oversight::tenancy::scope::set(&mut tx, Some(aland), Some(me))
        .await
        .unwrap();
    let tenants: Vec<i64> = sqlx::query_scalar("select distinct tenant_id from memberships")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(tenants, vec![aland]);
    // And writing into another tenant is refused by the policy's WITH CHECK.
    let borea: i64 = app
        .count("select id from tenants where slug = 'borea'")
        .await;
    let err = sqlx::query(
        "insert into partners (tenant_id, acronym, name, kind) values ($1, 'X', 'X', 'media')",
    )
    .bind(borea)
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
}

#[tokio::test]
async fn every_tenant_table_has_row_level_security_forced() {
    let app = TestApp::new().await;
    let mut conn = app.owner_conn().await;
    let tables: Vec<(String, bool, bool, i64)> = sqlx::query_as(
        "select c.relname::text, c.relrowsecurity, c.relforcerowsecurity,
                (select count(*) from pg_policy p where p.polrelid = c.oid)
         from pg_class c
         join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
         where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
         order by 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(tables.len() >= 2, "found {tables:?}");
    for (table, enabled, forced, policies) in tables {
        // The search index is read only through `search_tenant` and
        // `search_public`, whose owner reads it past its policy so that its
        // index answers; their WHERE clause is the wall (the search tests
        // check it). The application role still meets the policy.
        let forced = forced || table == "search_entries";
        assert!(
            enabled && forced,
            "{table}: row-level security must be enabled and forced"
        );
        assert!(policies >= 1, "{table}: needs a policy");
    }
}

#[tokio::test]
async fn the_application_role_is_powerless() {
    let app = TestApp::new().await;
    let mut conn = app.pool.acquire().await.unwrap();
    let (user, superuser, bypass): (String, bool, bool) = sqlx::query_as(
        "select current_user::text, rolsuper, rolbypassrls from pg_roles where rolname = current_user",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(user, "nap_app");
    assert!(!superuser && !bypass);
    let owned: i64 = sqlx::query_scalar(
        "select count(*) from pg_class where relowner = (select oid from pg_roles where rolname = 'nap_app')",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(owned, 0);
    let err = sqlx::query("create table sneaky (id int)")
        .execute(&mut *conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
}

#[tokio::test]
async fn tenant_pages_send_visitors_to_sign_in() {
    let app = two_tenants().await;
    let mut visitor = app.client();
    let res = visitor.get("/t/aland/members").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/login?next=%2Ft%2Faland%2Fmembers");
    // The visitor's home lists tenants with public pages, linking to them.
    let home = visitor.get("/").await;
    assert_eq!(home.attr(".cards a", "href").as_deref(), Some("/p/aland/"));
    assert_eq!(visitor.get("/p/aland/").await.status, StatusCode::OK);
    let mut conn = app.owner_conn().await;
    sqlx::query("update tenants set public_portal = false where slug = 'aland'")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(visitor.get("/p/aland/").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn no_view_or_function_opens_a_back_door() {
    let app = TestApp::new().await;
    let mut conn = app.owner_conn().await;
    let views: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c
         where c.relnamespace = 'public'::regnamespace and c.relkind in ('v', 'm')
           and not coalesce(c.reloptions @> array['security_invoker=true'], false)",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(
        views.is_empty(),
        "views without security_invoker: {views:?}"
    );
    let definers: Vec<String> = sqlx::query_scalar(
        "select p.proname::text from pg_proc p
         where p.pronamespace = 'public'::regnamespace and p.prosecdef
           and has_function_privilege('nap_app', p.oid, 'execute')
           and not coalesce(exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%'), false)",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(
        definers.is_empty(),
        "SECURITY DEFINER functions without a fixed search_path: {definers:?}"
    );
}
