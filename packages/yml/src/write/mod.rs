//! The streaming YML writer: a header, one offer at a time, a footer. Three flavors share it:
//! the full Yandex Market catalog, its Megamarket variant (stock per warehouse in
//! `outlets/outlet`), and Ozon's price/stock feed.
//!
//! Memory is constant: the writer keeps one buffer (about 64 KiB plus the offer being written)
//! and hands it to the underlying `Write` whenever it fills, so the caller needs no `BufWriter`
//! (wrapping one does no harm). Nothing goes through a DOM or an XML library: escaped slices are
//! appended with `extend_from_slice` (see `escape`), which is what makes ≥ 500,000 offers/s.
//!
//! Output is UTF-8 and starts at the very first byte with the XML declaration (no BOM, no
//! leading whitespace: Megamarket requires that). [`YmlWriter::finish`] must be called: it
//! closes `offers`, `shop` and `yml_catalog` and flushes; a writer dropped without it leaves an
//! unterminated file.
//!
//! When the header depends on the offers (a supplier's items carry category paths, and the tree
//! is known only once every offer has been seen), write the offers with
//! [`YmlWriter::fragment`] to a scratch file first, then start the feed with [`YmlWriter::new`]
//! and copy the fragment in with [`YmlWriter::append_fragment`]: memory stays flat either way.

mod escape;
mod number;
mod offer;

use std::io::{Read, Write};

use crate::model::{Offer, Shop};

/// Which feed to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// The full Yandex Market catalog: shop, currencies, category tree, complete offers with
    /// `count` as stock.
    YandexMarket,
    /// Megamarket's "XML feed based on YML": the Yandex Market catalog plus stock per warehouse
    /// as `<outlets><outlet id=".." instock="N"/></outlets>`.
    Megamarket,
    /// Ozon's price/stock feed: `offer[@id]{price, oldprice?, outlets/outlet[@instock,
    /// @warehouse_name]}` under a bare `shop` (no name, currencies or categories).
    OzonPriceStock,
}

/// Why a feed could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("writing the feed failed: {0}")]
    Io(#[from] std::io::Error),
    /// The offer cannot be written in this flavor; nothing of it was written and the writer can
    /// go on with the next offer.
    #[error("offer {offer_id:?} cannot be written: {reason}")]
    InvalidOffer { offer_id: String, reason: String },
}

/// The buffer is handed to the underlying writer once it holds this much.
const FLUSH_AT: usize = 64 * 1024;

/// Writes one YML feed to `W`, one offer at a time. See the module documentation.
pub struct YmlWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    flavor: Flavor,
    default_warehouse: Option<String>,
    offers_written: u64,
    /// Offers only: no header was written and no footer will be.
    fragment: bool,
}

impl<W: Write> YmlWriter<W> {
    /// Writes the XML declaration (UTF-8), `<yml_catalog date="...">` (RFC 3339 now, UTC, when
    /// `shop.date` is `None`), `<shop>` with name/company/url/platform/email, currencies and the
    /// category tree, then opens `<offers>`. [`Flavor::OzonPriceStock`] writes only what Ozon's
    /// price/stock feed has: the date and a bare `<shop>`. Empty fields and empty lists are left
    /// out.
    pub fn new(out: W, flavor: Flavor, shop: &Shop) -> Result<Self, WriteError> {
        let mut writer = Self {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            flavor,
            default_warehouse: None,
            offers_written: 0,
            fragment: false,
        };
        writer.write_header(shop);
        writer.flush_if_full()?;
        Ok(writer)
    }

    /// A writer of offers only, without header and footer, for [`YmlWriter::append_fragment`]
    /// into a feed of the same flavor. End it with [`YmlWriter::finish_fragment`].
    pub fn fragment(out: W, flavor: Flavor) -> Self {
        Self {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            flavor,
            default_warehouse: None,
            offers_written: 0,
            fragment: true,
        }
    }

    /// Copies the bytes of a fragment written by [`YmlWriter::fragment`] (same flavor) into the
    /// feed, counting its `offers` in [`YmlWriter::offers_written`].
    pub fn append_fragment(
        &mut self,
        fragment: &mut impl Read,
        offers: u64,
    ) -> Result<(), WriteError> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        std::io::copy(fragment, &mut self.out)?;
        self.offers_written += offers;
        Ok(())
    }

    /// Flushes a fragment's offers and hands back the underlying writer (there is no footer to
    /// write: the feed it is appended to has one).
    pub fn finish_fragment(mut self) -> Result<W, WriteError> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()?;
        Ok(self.out)
    }

    /// Where the stock of an offer that has a `stock` but no `outlets` goes: the Megamarket
    /// warehouse id (`outlet/@id`) or the Ozon warehouse name (`outlet/@warehouse_name`). Without
    /// one, no outlet is invented: Megamarket gets the stock only as `<count>` and Ozon only the
    /// price (a made-up warehouse id would put the stock in a warehouse that does not exist).
    /// Ignored by [`Flavor::YandexMarket`].
    pub fn with_default_warehouse(mut self, warehouse: impl Into<String>) -> Self {
        self.default_warehouse = Some(warehouse.into()).filter(|w| !w.is_empty());
        self
    }

    /// Writes one `<offer>`. An offer this flavor cannot carry is refused with
    /// [`WriteError::InvalidOffer`] and nothing of it is written (see `offer::check`).
    pub fn write_offer(&mut self, offer: &Offer) -> Result<(), WriteError> {
        offer::check(self.flavor, offer, self.default_warehouse.as_deref()).map_err(|reason| {
            WriteError::InvalidOffer {
                offer_id: offer.id.clone(),
                reason,
            }
        })?;
        offer::write(
            &mut self.buf,
            self.flavor,
            offer,
            self.default_warehouse.as_deref(),
        );
        self.offers_written += 1;
        self.flush_if_full()
    }

    /// How many offers have been written so far.
    pub fn offers_written(&self) -> u64 {
        self.offers_written
    }

    /// Closes `offers`, `shop` and `yml_catalog`, flushes everything and hands back the
    /// underlying writer. (On a fragment, the same as [`YmlWriter::finish_fragment`].)
    pub fn finish(mut self) -> Result<W, WriteError> {
        if self.fragment {
            return self.finish_fragment();
        }
        self.buf
            .extend_from_slice(b"    </offers>\n  </shop>\n</yml_catalog>\n");
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()?;
        Ok(self.out)
    }

    fn flush_if_full(&mut self) -> Result<(), WriteError> {
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn write_header(&mut self, shop: &Shop) {
        let buf = &mut self.buf;
        buf.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<yml_catalog date=\"");
        match shop.date.as_deref().filter(|d| !d.is_empty()) {
            Some(date) => escape::attribute(buf, date),
            None => escape::attribute(buf, &now_rfc3339()),
        }
        buf.extend_from_slice(b"\">\n  <shop>\n");
        if self.flavor != Flavor::OzonPriceStock {
            let fields = [
                ("name", &shop.name),
                ("company", &shop.company),
                ("url", &shop.url),
                ("platform", &shop.platform),
                ("email", &shop.email),
            ];
            for (tag, value) in fields {
                offer::element(buf, "    ", tag, value.as_deref());
            }
            write_currencies(buf, shop);
            write_categories(buf, shop);
        }
        buf.extend_from_slice(b"    <offers>\n");
    }
}

fn write_currencies(buf: &mut Vec<u8>, shop: &Shop) {
    if shop.currencies.is_empty() {
        return;
    }
    buf.extend_from_slice(b"    <currencies>\n");
    for currency in &shop.currencies {
        buf.extend_from_slice(b"      <currency id=\"");
        escape::attribute(buf, &currency.id);
        buf.push(b'"');
        if let Some(rate) = currency.rate {
            buf.extend_from_slice(b" rate=\"");
            number::decimal(buf, rate);
            buf.push(b'"');
        } else if let Some(source) = currency.rate_source.as_deref().filter(|s| !s.is_empty()) {
            buf.extend_from_slice(b" rate=\"");
            escape::attribute(buf, source);
            buf.push(b'"');
        }
        buf.extend_from_slice(b"/>\n");
    }
    buf.extend_from_slice(b"    </currencies>\n");
}

fn write_categories(buf: &mut Vec<u8>, shop: &Shop) {
    if shop.categories.is_empty() {
        return;
    }
    buf.extend_from_slice(b"    <categories>\n");
    for category in &shop.categories {
        buf.extend_from_slice(b"      <category id=\"");
        escape::attribute(buf, &category.id);
        buf.push(b'"');
        if let Some(parent) = category.parent_id.as_deref().filter(|p| !p.is_empty()) {
            buf.extend_from_slice(b" parentId=\"");
            escape::attribute(buf, parent);
            buf.push(b'"');
        }
        buf.push(b'>');
        escape::text(buf, &category.name);
        buf.extend_from_slice(b"</category>\n");
    }
    buf.extend_from_slice(b"    </categories>\n");
}

/// Now as RFC 3339 with an explicit offset (`2026-03-15T12:01:00+00:00`), the form Megamarket's
/// price/stock feed asks for and every YML consumer reads.
fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}
