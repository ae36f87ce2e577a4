//! `carpetti sandbox`: the four marketplace sandboxes (Ozon, Wildberries, Yandex Market,
//! Megamarket) on loopback ports, with their real paths, auth, payloads, errors, asynchronous
//! processing and quotas, state in memory. Prints where each listens and the `carpetti channel
//! add` line that points a channel at it; runs until Ctrl-C.

use std::net::{IpAddr, SocketAddr};

use anyhow::Context as _;
use carpetti_marketplace::sandbox::Served;
use clap::Args;

use crate::context::Context;
use crate::output;

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub listen: IpAddr,
    /// Ozon listens on this port, Wildberries on the next, then Yandex Market, then Megamarket
    /// (0: any free ports).
    #[arg(long, default_value = "8301")]
    pub port: u16,
    /// Every quota and processing delay this many times faster (1 = the documented limits).
    #[arg(long, default_value = "1")]
    pub pace: f64,
}

/// One sandbox serving.
struct Running {
    marketplace: &'static str,
    served: Served,
    channel_add: String,
    categories: &'static str,
}

pub async fn run(args: SandboxArgs, ctx: &Context) -> anyhow::Result<()> {
    let address = |offset: u16| {
        let port = if args.port == 0 {
            0
        } else {
            args.port.saturating_add(offset)
        };
        SocketAddr::new(args.listen, port)
    };
    let pace = if args.pace.is_finite() && args.pace > 0.0 {
        args.pace
    } else {
        1.0
    };
    let mut running = Vec::new();

    let ozon = carpetti_ozon::OzonSandbox::new(carpetti_ozon::SandboxConfig::paced(pace));
    let served = ozon
        .serve(address(0))
        .await
        .context("serving the Ozon sandbox")?;
    let warehouse = carpetti_ozon::sandbox::seed::WAREHOUSE_MAIN;
    running.push(Running {
        marketplace: "ozon",
        channel_add: format!(
            "carpetti channel add OZON --kind ozon --setting base_url={} --setting warehouses={warehouse} \
             --setting field_attributes='{{\"vendor\":\"85\",\"vendor_code\":\"9048\"}}' \
             --credential client_id={} --credential api_key={}",
            served.base_url(),
            carpetti_ozon::DEFAULT_CLIENT_ID,
            carpetti_ozon::DEFAULT_API_KEY
        ),
        categories: "17028650/94765 Ковер, 17028650/970895715 Коврик придверный, 17028741/92036 Торшер",
        served,
    });

    let wb_config = carpetti_wildberries::SandboxConfig::paced(pace);
    let token = wb_config.token.clone();
    let wb = carpetti_wildberries::WildberriesSandbox::new(wb_config);
    let served = wb
        .serve(address(1))
        .await
        .context("serving the Wildberries sandbox")?;
    running.push(Running {
        marketplace: "wildberries",
        channel_add: format!(
            "carpetti channel add WB --kind wildberries --setting base_url={} --setting warehouses={} \
             --credential token={token}",
            served.base_url(),
            carpetti_wildberries::sandbox::seed::WAREHOUSE
        ),
        categories: "3091 Ковры, 2956 Коврики для ванной, 105 Кроссовки",
        served,
    });

    let ym_config = carpetti_yandex_market::SandboxConfig::paced(pace);
    let ym = carpetti_yandex_market::YandexMarketSandbox::new(ym_config.clone());
    let served = ym
        .serve(address(2))
        .await
        .context("serving the Yandex Market sandbox")?;
    running.push(Running {
        marketplace: "yandex_market",
        channel_add: format!(
            "carpetti channel add YM --kind yandex-market --setting base_url={} --setting business_id={} \
             --setting campaign_id={} --setting warehouses={} --credential api_key={}",
            served.base_url(),
            ym_config.business_id,
            ym_config.campaign_id,
            ym_config.campaign_id,
            ym_config.api_key
        ),
        categories: "15367000 Ковры, 15368000 Полотенца, 90555 Наушники",
        served,
    });

    let mm_config = carpetti_megamarket::SandboxConfig::paced(pace);
    let mm = carpetti_megamarket::MegamarketSandbox::new(mm_config.clone());
    let served = mm
        .serve(address(3))
        .await
        .context("serving the Megamarket sandbox")?;
    running.push(Running {
        marketplace: "megamarket",
        channel_add: format!(
            "carpetti channel add MM --kind megamarket --setting base_url={} --setting merchant_id={} \
             --setting warehouses=1 --credential token={}",
            served.base_url(),
            mm_config.merchant_id,
            mm_config.token
        ),
        categories: "80608010102 Микроволновые печи, 80608010105 Электрочайники, 20101010101 Футболки",
        served,
    });

    let signal = carpetti_handle::shutdown_signal();
    if ctx.json {
        for r in &running {
            output::json_line(&serde_json::json!({
                "event": "listening", "marketplace": r.marketplace, "url": r.served.base_url(),
                "channel_add": r.channel_add, "categories": r.categories, "pace": pace,
            }));
        }
    } else {
        let mut table = output::table(["marketplace", "url", "leaf categories"]);
        for r in &running {
            table.add_row([r.marketplace, &r.served.base_url(), r.categories]);
        }
        output::line(&format!(
            "Marketplace sandboxes are up (quotas ×{pace}). State is in memory. Stop with Ctrl-C."
        ));
        output::line(&table.to_string());
        output::line("Point a channel at one:");
        for r in &running {
            output::line(&format!("  {}", r.channel_add));
        }
        output::line(
            "Each also serves POST /_sandbox/orders (emit an order), GET /_sandbox/state, \
             POST|DELETE /_sandbox/faults and GET /_sandbox/exchanges.",
        );
    }
    signal.await;
    for r in running {
        r.served.stop().await;
    }
    Ok(())
}
