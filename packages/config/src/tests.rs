//! Precedence (defaults → file → environment), validation and masking, each in a figment `Jail`
//! (its own working directory and a cleared environment).

// `Jail`'s closures return `figment::Result`, whose error is large; that is figment's API.
#![allow(clippy::result_large_err)]

use std::path::{Path, PathBuf};

use figment::Jail;
use secrecy::{ExposeSecret, SecretString};

use super::*;

fn load(file: Option<&Path>) -> figment::Result<Config> {
    Config::load(file).map_err(|e| figment::Error::from(e.to_string()))
}

#[test]
fn defaults_without_file_or_env() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        let c = load(None)?;
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert!(c.database.url.is_none());
        assert_eq!(c.database.max_connections, 10);
        assert_eq!(c.database.connect_timeout_secs, 10);
        assert_eq!(c.database.statement_timeout_secs, 30);
        assert_eq!(c.persist.listen.to_string(), "127.0.0.1:50051");
        assert_eq!(c.log.level, "info");
        assert_eq!(c.log.format, LogFormat::Json);
        assert!(c.queue.amqp_url.is_none());
        assert!(c.cache.redis_url.is_none());
        assert!(c.discovery.consul_url.is_none());
        assert_eq!(c.metrics.listen.to_string(), "127.0.0.1:9464");
        match c.database_target() {
            DatabaseTarget::Sqlite(p) => assert_eq!(p, PathBuf::from("./data/carpetti.db")),
            other => panic!("expected SQLite, got {other:?}"),
        }
        Ok(())
    });
}

#[test]
fn working_directory_file_then_env() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file(
            "carpetti.toml",
            r#"
                data_dir = "/var/lib/carpetti"
                [persist]
                listen = "0.0.0.0:6000"
                [log]
                level = "debug"
                format = "json"
                [database]
                max_connections = 3
            "#,
        )?;
        let c = load(None)?;
        assert_eq!(c.data_dir, PathBuf::from("/var/lib/carpetti"));
        assert_eq!(c.persist.listen.to_string(), "0.0.0.0:6000");
        assert_eq!(c.log.format, LogFormat::Json);
        assert_eq!(c.database.max_connections, 3);

        jail.set_env("CARPETTI_PERSIST__LISTEN", "127.0.0.1:7000");
        jail.set_env("CARPETTI_DATABASE__MAX_CONNECTIONS", "20");
        jail.set_env("CARPETTI_LOG__LEVEL", "warn");
        let c = load(None)?;
        assert_eq!(c.persist.listen.to_string(), "127.0.0.1:7000");
        assert_eq!(c.database.max_connections, 20);
        assert_eq!(c.log.level, "warn");
        assert_eq!(
            c.log.format,
            LogFormat::Json,
            "untouched keys keep the file's value"
        );
        Ok(())
    });
}

#[test]
fn explicit_file_wins_over_working_directory_and_must_exist() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file("carpetti.toml", "data_dir = \"cwd\"")?;
        jail.create_dir("etc")?;
        jail.create_file("etc/other.toml", "data_dir = \"other\"")?;
        let c = load(Some(Path::new("etc/other.toml")))?;
        assert_eq!(c.data_dir, PathBuf::from("other"));

        let missing = Config::load(Some(Path::new("nope.toml")));
        assert!(
            matches!(missing, Err(ConfigError::FileNotFound(_))),
            "{missing:?}"
        );
        Ok(())
    });
}

#[test]
fn database_url_alias_and_nested_form() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env(
            "CARPETTI_DATABASE_URL",
            "postgres://app:pw@db:5432/carpetti",
        );
        let c = load(None)?;
        let url = c
            .database
            .url
            .as_ref()
            .map(|u| u.expose_secret().to_owned());
        assert_eq!(url.as_deref(), Some("postgres://app:pw@db:5432/carpetti"));
        assert!(matches!(c.database_target(), DatabaseTarget::Postgres(_)));

        jail.set_env("CARPETTI_DATABASE__URL", "sqlite://other.db");
        let c = load(None)?;
        match c.database_target() {
            DatabaseTarget::Sqlite(p) => assert_eq!(p, PathBuf::from("other.db")),
            other => panic!("the nested form wins over the alias, got {other:?}"),
        }
        Ok(())
    });
}

#[test]
fn unrelated_carpetti_variables_are_ignored() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env(
            "CARPETTI_TEST_DATABASE_URL",
            "postgres://postgres@127.0.0.1/postgres",
        );
        jail.set_env("CARPETTI_CONFIG", "whatever.toml");
        let c = load(None)?;
        assert!(c.database.url.is_none());
        Ok(())
    });
}

#[test]
fn rejects_unknown_file_keys_bad_values_and_unsupported_urls() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file("carpetti.toml", "[persist]\nlistn = \"127.0.0.1:1\"")?;
        let err = Config::load(None)
            .map(|_| ())
            .expect_err("must be rejected");
        assert!(err.to_string().contains("persist.listn"), "{err}");

        jail.create_file("carpetti.toml", "[persist]\nlisten = \"not an address\"")?;
        let err = Config::load(None)
            .map(|_| ())
            .expect_err("must be rejected");
        assert!(matches!(err, ConfigError::Figment(_)), "{err}");

        jail.create_file("carpetti.toml", "")?;
        jail.set_env("CARPETTI_DATABASE_URL", "mysql://root:hunter2@db/x");
        let err = Config::load(None)
            .map(|_| ())
            .expect_err("must be rejected");
        let text = err.to_string();
        assert!(
            matches!(err, ConfigError::UnsupportedDatabaseUrl { .. }),
            "{text}"
        );
        assert!(!text.contains("hunter2"), "the password leaked: {text}");

        jail.set_env("CARPETTI_DATABASE_URL", "sqlite:./x.db");
        jail.set_env("CARPETTI_DATABASE__MAX_CONNECTIONS", "0");
        let err = Config::load(None)
            .map(|_| ())
            .expect_err("must be rejected");
        assert!(
            err.to_string().contains("database.max_connections"),
            "{err}"
        );

        jail.set_env("CARPETTI_DATABASE__MAX_CONNECTIONS", "4");
        jail.set_env("CARPETTI_PROVIDER__HEARTBEAT_SECS", "60");
        jail.set_env("CARPETTI_PROVIDER__STALE_AFTER_SECS", "60");
        let err = Config::load(None)
            .map(|_| ())
            .expect_err("a staleness not longer than the heartbeat must be rejected");
        assert!(
            err.to_string().contains("provider.stale_after_secs"),
            "{err}"
        );
        jail.set_env("CARPETTI_PROVIDER__HEARTBEAT_SECS", "0");
        let err = Config::load(None)
            .map(|_| ())
            .expect_err("must be rejected");
        assert!(err.to_string().contains("provider.heartbeat_secs"), "{err}");
        Ok(())
    });
}

#[test]
fn masked_hides_the_database_password() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env(
            "CARPETTI_DATABASE_URL",
            "postgresql://app:hunter2@db:5432/carpetti",
        );
        let c = load(None)?;
        let masked = c.masked();
        assert_eq!(
            masked["database"]["url"],
            "postgresql://app:********@db:5432/carpetti"
        );
        assert_eq!(masked["persist"]["listen"], "127.0.0.1:50051");
        assert_eq!(masked["log"]["format"], "json");
        assert!(!masked.to_string().contains("hunter2"));
        assert!(
            !format!("{c:?}").contains("hunter2"),
            "Debug leaks the secret"
        );
        Ok(())
    });
}

#[test]
fn sqlite_url_forms() {
    let parse = |s: &str| DatabaseTarget::parse(&SecretString::from(s));
    for (url, path) in [
        ("sqlite://./data/x.db", "./data/x.db"),
        ("sqlite:rel.db", "rel.db"),
        ("sqlite:///abs/x.db?mode=rwc", "/abs/x.db"),
    ] {
        match parse(url) {
            Ok(DatabaseTarget::Sqlite(p)) => assert_eq!(p, PathBuf::from(path), "{url}"),
            other => panic!("{url}: {other:?}"),
        }
    }
    assert!(parse("sqlite://").is_err());
    assert!(parse("http://x").is_err());
}

#[test]
fn mask_url_forms() {
    assert_eq!(mask_url("postgres://u@h/db"), "postgres://u@h/db");
    assert_eq!(mask_url("postgres://h:5432/db"), "postgres://h:5432/db");
    assert_eq!(mask_url("postgres://u:p@h"), "postgres://u:********@h");
    assert_eq!(
        mask_url("postgres://h/db?sslmode=disable&PASSWORD=x"),
        "postgres://h/db?sslmode=disable&PASSWORD=********"
    );
    assert_eq!(
        mask_url("postgres://u:p@ss@h/db"),
        "postgres://u:********@h/db"
    );
}

#[test]
fn every_key_is_documented() {
    let doc = include_str!("../../../docs/configuration.md");
    for key in KEYS {
        assert!(
            doc.contains(&format!("`{key}`")),
            "docs/configuration.md lacks `{key}`"
        );
    }
}

#[test]
fn sources_name_default_file_env_and_flag() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file("carpetti.toml", "[log]\nlevel = \"debug\"")?;
        jail.set_env("CARPETTI_PERSIST__LISTEN", "127.0.0.1:1");
        jail.set_env("CARPETTI_DATABASE_URL", "sqlite:x.db");
        let figment = Config::figment(None)
            .map_err(|e| e.to_string())?
            .merge(CliOverride::new("--data-dir", "data_dir", "/tmp/d"));
        let c = Config::from_figment(figment.clone()).map_err(|e| e.to_string())?;
        assert_eq!(c.data_dir, PathBuf::from("/tmp/d"));
        assert_eq!(source_of(&figment, "data_dir"), "--data-dir");
        assert_eq!(source_of(&figment, "log.level"), "file carpetti.toml");
        assert_eq!(source_of(&figment, "log.format"), "default");
        assert_eq!(
            source_of(&figment, "persist.listen"),
            "CARPETTI_PERSIST__LISTEN"
        );
        assert_eq!(source_of(&figment, "database.url"), "CARPETTI_DATABASE_URL");
        Ok(())
    });
}

#[test]
fn infrastructure_urls_from_aliases_masked_and_checked() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env("CARPETTI_AMQP_URL", "amqp://guest:sekret1@mq:5672/%2f");
        jail.set_env("CARPETTI_REDIS_URL", "redis://:sekret2@cache:6379/0");
        jail.set_env("CARPETTI_CONSUL_URL", "http://consul:8500");
        jail.set_env("CARPETTI_DISCOVERY__CONSUL_TOKEN", "sekret3");
        let c = load(None)?;
        assert_eq!(
            c.queue
                .amqp_url
                .as_ref()
                .map(|u| u.expose_secret().to_owned()),
            Some("amqp://guest:sekret1@mq:5672/%2f".to_owned())
        );
        assert_eq!(
            c.discovery.consul_url.as_deref(),
            Some("http://consul:8500")
        );
        let masked = c.masked();
        assert_eq!(
            masked["queue"]["amqp_url"],
            "amqp://guest:********@mq:5672/%2f"
        );
        assert_eq!(
            masked["cache"]["redis_url"],
            "redis://:********@cache:6379/0"
        );
        assert_eq!(masked["discovery"]["consul_token"], "********");
        for secret in ["sekret1", "sekret2", "sekret3"] {
            assert!(!masked.to_string().contains(secret), "{secret} leaked");
            assert!(
                !format!("{c:?}").contains(secret),
                "{secret} leaked by Debug"
            );
        }

        jail.set_env("CARPETTI_QUEUE__AMQP_URL", "amqp://long-form-wins");
        assert_eq!(
            load(None)?
                .queue
                .amqp_url
                .map(|u| u.expose_secret().to_owned()),
            Some("amqp://long-form-wins".to_owned())
        );

        jail.set_env("CARPETTI_QUEUE__AMQP_URL", "http://mq");
        let err = load(None).expect_err("http is not AMQP");
        assert!(err.to_string().contains("queue.amqp_url"), "{err}");
        Ok(())
    });
}

#[test]
fn static_discovery_services_and_bad_values() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file(
            "carpetti.toml",
            r#"
                [discovery.services]
                persist = ["10.0.0.5:50051", "10.0.0.6:50051"]
                [queue]
                prefetch = 0
            "#,
        )?;
        let err = load(None).expect_err("prefetch 0");
        assert!(err.to_string().contains("queue.prefetch"), "{err}");
        jail.create_file(
            "carpetti.toml",
            r#"
                [discovery.services]
                persist = ["10.0.0.5:50051", "10.0.0.6:50051"]
                [log]
                fluent_address = "fluentd:24224"
            "#,
        )?;
        let c = load(None)?;
        assert_eq!(c.discovery.services["persist"].len(), 2);
        assert_eq!(c.log.fluent_address.as_deref(), Some("fluentd:24224"));
        jail.set_env("CARPETTI_LOG__FLUENT_ADDRESS", "no-port");
        let err = load(None).expect_err("no port");
        assert!(err.to_string().contains("log.fluent_address"), "{err}");
        Ok(())
    });
}
