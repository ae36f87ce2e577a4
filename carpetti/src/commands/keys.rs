//! `carpetti keys generate`: a new Ed25519 key pair for service-to-service tokens — the private
//! key as PKCS#8 PEM (`auth.signing_key_file`, mode 0600) and its public half added to a
//! verification keys file (`auth.verification_keys_file`), where the previous keys stay listed
//! so a rotation accepts both until the old one is removed.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use carpetti_handle::auth::{VerificationKeyConfig, generate_key_pair};
use clap::{Args, Subcommand};
use secrecy::ExposeSecret;

use crate::context::Context;
use crate::output;
use crate::platform::auth::parse_verification_keys;

/// `carpetti keys …`
#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub action: KeysAction,
}

/// What to do with service keys.
#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Generate a key pair: `<dir>/<kid>.pem` (private) and its public key added to
    /// `<dir>/verification-keys.json`.
    Generate(GenerateArgs),
}

/// `carpetti keys generate`
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The key id written in every token's header, e.g. the month: `2026-12`.
    #[arg(long)]
    pub kid: String,
    /// Where the files go (created when missing).
    #[arg(long, default_value = "keys")]
    pub dir: PathBuf,
    /// Limit the public key to these issuers (calling services); none: any.
    #[arg(long = "issuer")]
    pub issuers: Vec<String>,
}

pub fn run(args: KeysArgs, ctx: &Context) -> anyhow::Result<()> {
    match args.action {
        KeysAction::Generate(args) => generate(args, ctx),
    }
}

fn generate(args: GenerateArgs, ctx: &Context) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    let private_file = args.dir.join(format!("{}.pem", args.kid));
    if private_file.exists() {
        bail!(
            "{} exists already: choose another --kid (keys are never overwritten)",
            private_file.display()
        );
    }
    let (signing, mut verification) =
        generate_key_pair(args.kid.as_str()).context("generating the key pair")?;
    verification.issuers = args.issuers;
    write_private(&private_file, signing.private_key_pem.expose_secret())?;

    let keys_file = args.dir.join("verification-keys.json");
    let mut keys: Vec<VerificationKeyConfig> = match std::fs::read_to_string(&keys_file) {
        Ok(text) => parse_verification_keys(&text)
            .with_context(|| format!("reading {}", keys_file.display()))?,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(err) => return Err(err).with_context(|| format!("reading {}", keys_file.display())),
    };
    keys.retain(|k| k.kid != verification.kid);
    keys.push(verification);
    let kids: Vec<String> = keys.iter().map(|k| k.kid.clone()).collect();
    std::fs::write(&keys_file, serde_json::to_string_pretty(&keys)? + "\n")
        .with_context(|| format!("writing {}", keys_file.display()))?;

    if ctx.json {
        output::json_line(&serde_json::json!({
            "kid": args.kid,
            "signing_key_file": private_file,
            "verification_keys_file": keys_file,
            "verification_kids": kids,
        }));
        return Ok(());
    }
    let mut table = output::table(["setting", "value"]);
    table.add_row(["auth.signing_kid", args.kid.as_str()]);
    table.add_row(["auth.signing_key_file", &private_file.display().to_string()]);
    table.add_row([
        "auth.verification_keys_file",
        &keys_file.display().to_string(),
    ]);
    table.add_row(["keys verified", &kids.join(", ")]);
    println!("{table}");
    println!(
        "Give the callers the private key; give every service the verification keys file. \
         Remove an old kid from it once no caller signs with it."
    );
    Ok(())
}

/// Writes the private key readable by its owner only.
fn write_private(path: &Path, pem: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(pem.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
