//! What every command gets: the loaded configuration and the global flags.

use std::path::PathBuf;

use anyhow::Context as _;
use carpetti_config::{CliOverride, Config};
use figment::Figment;

use crate::cli::GlobalArgs;

/// The loaded configuration and the global flags, handed to every command.
#[derive(Debug)]
pub struct Context {
    /// The effective configuration.
    pub config: Config,
    /// The layered sources it came from (for `carpetti config`).
    pub figment: Figment,
    /// The configuration file read, if any.
    pub config_file: Option<PathBuf>,
    /// `--json`: print JSON instead of tables.
    pub json: bool,
}

impl Context {
    /// Loads the configuration: defaults → file → environment → command-line flags.
    pub fn load(global: &GlobalArgs) -> anyhow::Result<Context> {
        let file = global.config.as_deref();
        let config_file = Config::resolve_file(file)?;
        let mut figment = Config::figment(file)?;
        if let Some(dir) = &global.data_dir {
            figment = figment.merge(CliOverride::new("--data-dir", "data_dir", dir));
        }
        let config = Config::from_figment(figment.clone()).context("loading the configuration")?;
        Ok(Context {
            config,
            figment,
            config_file,
            json: global.json,
        })
    }
}
