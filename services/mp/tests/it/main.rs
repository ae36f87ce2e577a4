//! service_mp's integration tests: the publication pipeline, prices, stocks, orders, labels and
//! the queue interface against each marketplace's loopback sandbox and a real service_persist.

mod harness;
mod markets;
mod pipeline;
mod queue;
mod scenarios;
mod server;
mod units;

/// The journeys of `scenarios` against one marketplace.
macro_rules! journeys {
    ($name:ident, $market:ty) => {
        mod $name {
            use crate::harness::Backend;
            use crate::scenarios;

            #[tokio::test]
            async fn publishes_and_republishes_nothing_on_sqlite() -> anyhow::Result<()> {
                let market = <$market>::start().await?;
                scenarios::publish_and_republish(&market, Backend::Sqlite).await
            }

            #[tokio::test]
            async fn publishes_and_republishes_nothing_on_postgres() -> anyhow::Result<()> {
                let market = <$market>::start().await?;
                scenarios::publish_and_republish(&market, Backend::Postgres).await
            }

            #[tokio::test]
            async fn prices_stocks_orders_and_labels() -> anyhow::Result<()> {
                let market = <$market>::start().await?;
                scenarios::prices_stocks_orders_and_labels(&market).await
            }

            #[tokio::test]
            async fn a_duplicate_queue_delivery_publishes_once() -> anyhow::Result<()> {
                let market = <$market>::start().await?;
                crate::queue::duplicate_delivery_publishes_once(&market).await
            }

            #[tokio::test]
            async fn a_crash_between_hand_over_and_outcome_resends_nothing() -> anyhow::Result<()> {
                let market = <$market>::start().await?;
                scenarios::crash_between_hand_over_and_outcome(&market).await
            }
        }
    };
}

journeys!(ozon, crate::markets::ozon::Ozon);
journeys!(yandex_market, crate::markets::yandex_market::YandexMarket);
journeys!(wildberries, crate::markets::wildberries::Wildberries);
journeys!(megamarket, crate::markets::megamarket::Megamarket);
