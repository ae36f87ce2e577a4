//! Test support shared by every Carpetti crate's integration tests: throwaway databases on the
//! real PostgreSQL server of the machine (one database per test) and on SQLite (one file per test).
//!
//! The PostgreSQL server is found through `CARPETTI_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`, the trust-auth server `scripts/test` starts).
//! If it cannot be reached the test fails loudly: a backend is never skipped silently.
//!
//! [`consul::LoopbackConsul`] is a loopback Consul agent (the documented endpoints discovery uses,
//! with real gRPC health checks) for the Consul discovery backend's tests.

pub mod rabbitmq;
pub mod redis_server;

pub mod consul;
/// A loopback Fluent `forward` receiver for the Fluent output's tests.
pub mod fluent;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// The environment variable naming the administrative PostgreSQL URL tests create databases with.
pub const TEST_DATABASE_URL_ENV: &str = "CARPETTI_TEST_DATABASE_URL";
const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A PostgreSQL database made for one test and dropped when this guard is dropped.
pub struct TestPgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestPgDatabase {
    /// Creates a new, empty database with a unique name.
    pub async fn create() -> Result<Self> {
        let admin_url =
            std::env::var(TEST_DATABASE_URL_ENV).unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned());
        let name = format!("carpetti_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = tokio::time::timeout(
            Duration::from_secs(10),
            PgConnection::connect(&admin_url),
        )
        .await
        .with_context(|| format!("timed out connecting to PostgreSQL at {admin_url}"))?
        .with_context(|| {
            format!(
                "PostgreSQL is not reachable at {admin_url}; run scripts/test, which starts it, \
                     or set {TEST_DATABASE_URL_ENV}"
            )
        })?;
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await
            .with_context(|| format!("creating test database {name}"))?;
        admin.close().await.ok();
        let url = replace_database(&admin_url, &name);
        Ok(Self {
            admin_url,
            name,
            url,
        })
    }

    /// The URL of the test database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The name of the test database.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestPgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside or outside a runtime; a plain thread with its own runtime works in both.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async move {
                let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    // postgres://user@host:port/db → keep everything up to the last '/' after the authority.
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map(|i| scheme_end + i);
    let mut out = match path_start {
        Some(i) => format!("{}/{database}", &base[..i]),
        None => format!("{base}/{database}"),
    };
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// A SQLite database file in its own temporary directory, removed when dropped.
pub struct TestSqliteDatabase {
    dir: tempfile::TempDir,
}

impl TestSqliteDatabase {
    /// Makes a temporary directory for the database file.
    pub fn create() -> Result<Self> {
        Ok(Self {
            dir: tempfile::tempdir().context("creating a temporary directory")?,
        })
    }

    /// The path of the database file (not yet created).
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("carpetti.db")
    }

    /// The directory holding the file (usable as a data dir).
    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn replaces_the_database_part_of_a_url() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            replace_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
    }
}
