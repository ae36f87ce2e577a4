//! Each marketplace's sandbox behind the journeys' `Market` trait.

pub mod megamarket;
pub mod ozon;
pub mod wildberries;
pub mod yandex_market;
