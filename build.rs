// The migrations and the translation catalogs are compiled into the binary
// (`sqlx::migrate!`, `rust_i18n::i18n!`): rebuild when one is added or
// changed, not only when Rust code changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=locales");
}
