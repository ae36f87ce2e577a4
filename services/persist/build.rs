//! Rebuilds the crate when a migration is added or changed: `sqlx::migrate!` embeds the files of
//! `migrations/` at compile time, and without this a new migration file alone would not be seen.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
