//! What the connector and the sandbox share of Megamarket's API: the paths, the reported master
//! attribute ids and the batch maxima (NOTES §4; the ones NOTES does not give are marked).

/// Paths of the operations used (all `POST`).
pub mod path {
    pub const CATEGORY_TREE: &str = "/api/merchantIntegration/assortment/v1/categoryTree/get";
    /// Not in NOTES (community notes): the attributes of a category.
    pub const INFOMODEL: &str = "/api/merchantIntegration/assortment/v1/infomodel/get";
    pub const CARD_SAVE: &str = "/api/merchantIntegration/assortment/v1/card/save";
    pub const CARD_GET_ATTRIBUTES: &str =
        "/api/merchantIntegration/assortment/v1/card/getAttributes";
    pub const PRICE_SAVE: &str = "/api/merchantIntegration/v1/offerService/manualPrice/save";
    pub const STOCK_UPDATE: &str = "/api/merchantIntegration/v1/offerService/stock/update";
    pub const ORDER_SEARCH: &str = "/api/market/v1/orderService/order/search";
    pub const ORDER_GET: &str = "/api/market/v1/orderService/order/get";
    pub const ORDER_CONFIRM: &str = "/api/market/v1/orderService/order/confirm";
    pub const ORDER_PACKING: &str = "/api/market/v1/orderService/order/packing";
    pub const STICKER_PRINT: &str = "/api/market/v1/orderService/sticker/print";
}

/// The reported master attribute ids of a card (NOTES §4.2).
pub mod master {
    pub const BRAND: u64 = 14;
    pub const ARTICLE: u64 = 15;
    pub const DESCRIPTION: u64 = 16;
    pub const NAME: u64 = 17;
    pub const PHOTOS: u64 = 18;
    pub const WEIGHT_KG: u64 = 33;
    pub const LENGTH_CM: u64 = 34;
    pub const HEIGHT_CM: u64 = 35;
    pub const WIDTH_CM: u64 = 36;
    pub const BARCODE: u64 = 39;
    pub const ALL: [u64; 10] = [
        NAME,
        BRAND,
        DESCRIPTION,
        ARTICLE,
        WEIGHT_KG,
        LENGTH_CM,
        HEIGHT_CM,
        WIDTH_CM,
        PHOTOS,
        BARCODE,
    ];

    pub fn is_master(id: u64) -> bool {
        ALL.contains(&id)
    }
}

/// Requests per second per seller, every method together (NOTES §4.1).
pub const CALLS_PER_SECOND: u32 = 5;
/// Photos per card (NOTES: "reportedly at most 15").
pub const MAX_PHOTOS: usize = 15;
/// Prices per `manualPrice/save` (NOTES: "the recommended batch is ≤ 300").
pub const PRICES_PER_CALL: usize = 300;
/// Stocks per `stock/update` — not in NOTES; the sandbox's choice, as for prices.
pub const STOCKS_PER_CALL: usize = 300;
/// Cards per `card/save` — not in NOTES; the sandbox's choice.
pub const CARDS_PER_CALL: usize = 100;
/// Cards per `card/getAttributes` page — not in NOTES; the sandbox's choice.
pub const PAGE_LIMIT: usize = 100;
/// Shipment ids per `order/get` — not in NOTES; the sandbox's choice.
pub const SHIPMENTS_PER_GET: usize = 50;
/// Card name length — not in NOTES; the sandbox's choice.
pub const MAX_NAME_CHARS: usize = 255;
