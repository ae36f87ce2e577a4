//! A newcomer's way to a marketplace: `carpetti sandbox`, a feed imported and adopted as the
//! catalog, a channel added and mapped, `mp publish`, and the listings with the marketplace's ids;
//! then an order emitted in the sandbox brought back, its label kept, and a second publication
//! that sends nothing.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{TestResult, carpetti, text, wait_with_deadline};

/// Runs `carpetti --data-dir state ARGS --json` in `dir`: its JSON lines; fails on an error exit.
fn run(dir: &Path, args: &[&str]) -> Result<Vec<serde_json::Value>, String> {
    let output = carpetti(dir)
        .args(["--data-dir", "state"])
        .args(args)
        .arg("--json")
        .output()
        .map_err(|e| e.to_string())?;
    let (stdout, stderr) = text(&output);
    if !output.status.success() {
        return Err(format!("{args:?} failed: {stderr}{stdout}"));
    }
    Ok(stdout
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect())
}

#[test]
fn sandbox_channel_publish_listings_orders_label() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut sandbox = carpetti(dir.path())
        .args(["sandbox", "--port", "0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdout = BufReader::new(sandbox.stdout.take().ok_or("no stdout")?);
    let mut urls = std::collections::HashMap::new();
    while urls.len() < 4 {
        let mut line = String::new();
        if stdout.read_line(&mut line)? == 0 {
            let _ = sandbox.kill();
            return Err("carpetti sandbox ended before it listened".into());
        }
        let value: serde_json::Value = serde_json::from_str(line.trim())?;
        if let (Some(m), Some(url)) = (value["marketplace"].as_str(), value["url"].as_str()) {
            urls.insert(m.to_owned(), url.to_owned());
        }
    }
    let url = urls["yandex_market"].clone();

    let feed = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../testdata/feeds/real/yandex-official-yandex_products_Moscow_feed_with_delivery.xml",
    );
    let feed = feed.to_str().ok_or("path")?;
    run(dir.path(), &["import", feed, "--supplier", "yandex"])?;
    let adopted = run(
        dir.path(),
        &[
            "catalog",
            "adopt",
            "--supplier",
            "yandex",
            "--category",
            "audio",
        ],
    )?;
    assert_eq!(adopted[0]["created"], 36, "{adopted:?}");
    run(
        dir.path(),
        &[
            "channel",
            "add",
            "YM",
            "--kind",
            "yandex-market",
            "--setting",
            &format!("base_url={url}"),
            "--setting",
            "business_id=7700001",
            "--setting",
            "campaign_id=21000001",
            "--setting",
            "warehouses=21000001",
            "--setting",
            r#"attribute_defaults={"4925670":"беспроводные"}"#,
            "--credential",
            "api_key=ACMA:sandbox-yandex-market-key:0000",
        ],
    )?;
    let shown = run(dir.path(), &["channel", "show", "YM"])?;
    assert_eq!(shown[0]["credentials"], serde_json::json!(["api_key"]));
    assert!(
        !shown[0].to_string().contains("sandbox-yandex-market-key"),
        "no secret printed"
    );
    run(
        dir.path(),
        &[
            "channel",
            "map",
            "YM",
            "--category",
            "audio",
            "--to",
            "90555",
        ],
    )?;

    let published = run(
        dir.path(),
        &[
            "mp",
            "publish",
            "--channel",
            "YM",
            "--all",
            "--poll-every",
            "1",
        ],
    )?;
    let created = published[0]["items"].as_array().map_or(0, |items| {
        items.iter().filter(|i| i["outcome"] == "created").count()
    });
    assert_eq!(created, 36, "{published:?}");
    let listings = run(dir.path(), &["mp", "listings", "--channel", "YM"])?;
    assert_eq!(listings.len(), 36);
    assert!(
        listings
            .iter()
            .all(|l| l["status"] == "published" && l["marketplace_sku"].is_string()),
        "every listing has the Market's SKU: {listings:?}"
    );
    let again = run(dir.path(), &["mp", "publish", "--channel", "YM", "--all"])?;
    assert_eq!(again[0]["cards_sent"], 0, "{again:?}");

    let sku = listings[0]["sku"].as_str().ok_or("sku")?;
    let order = Command::new("curl")
        .args([
            "-sf",
            "-XPOST",
            &format!("{url}/_sandbox/orders"),
            "-H",
            "content-type: application/json",
        ])
        .args([
            "-d",
            &format!(r#"{{"lines":[{{"offer_id":"{sku}","quantity":1,"price":1990}}]}}"#),
        ])
        .output()?;
    let order: serde_json::Value = serde_json::from_slice(&order.stdout)?;
    let order_id = order["order_id"].as_str().ok_or("order id")?.to_owned();
    let orders = run(dir.path(), &["mp", "orders", "--channel", "YM"])?;
    assert_eq!(orders[0]["created"], 1, "{orders:?}");
    assert_eq!(orders[0]["unmatched_lines"], 0, "{orders:?}");
    let label = run(
        dir.path(),
        &["mp", "label", "--channel", "YM", "--order", &order_id],
    )?;
    let stored = dir
        .path()
        .join("state/files")
        .join(label[0]["storage_key"].as_str().ok_or("key")?);
    assert!(std::fs::read(stored)?.starts_with(b"%PDF"));

    let pid = sandbox.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status()?;
    let status = wait_with_deadline(&mut sandbox, Duration::from_secs(20))?;
    assert!(status.success(), "carpetti sandbox exited with {status}");
    Ok(())
}
