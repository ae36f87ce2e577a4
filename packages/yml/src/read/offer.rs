//! One `<offer>` as it is being read: which child element feeds which field of [`Offer`], how a
//! field's text becomes a value (a value that is not what the field needs is a reason to reject
//! the offer, naming the field), and the finished [`Item`].

use crate::read::Item;
use quick_xml::events::BytesStart;

use crate::read::text::{
    for_each_attribute, forbidden_char, parse_bool, parse_decimal, parse_whole, trim,
};
use crate::{Dimensions, Offer, OfferError, Outlet, Param, Position};

/// At most this many reasons are listed for one rejected offer.
const MAX_REASONS: usize = 8;

/// The field an offer child element's text goes to.
#[derive(Debug)]
pub(crate) enum OfferField {
    Name,
    Title,
    TypePrefix,
    Vendor,
    Model,
    VendorCode,
    Url,
    Price,
    OldPrice,
    CurrencyId,
    CategoryId,
    Picture,
    Description,
    Barcode,
    Param {
        name: String,
        unit: Option<String>,
    },
    Weight,
    Dimensions,
    Count,
    Quantity,
    GroupId,
    CountryOfOrigin,
    SalesNotes,
    /// `<stock id="…">N</stock>`: stock at one warehouse, kept as an outlet.
    Stock {
        id: Option<String>,
    },
}

impl OfferField {
    /// The field of a plain (attribute-less) child element; `None` for the rest.
    pub(crate) fn of(element: &str) -> Option<Self> {
        Some(match element {
            "name" => Self::Name,
            "title" => Self::Title,
            "typePrefix" => Self::TypePrefix,
            "vendor" => Self::Vendor,
            "model" => Self::Model,
            "vendorCode" => Self::VendorCode,
            "url" => Self::Url,
            "price" => Self::Price,
            "oldprice" => Self::OldPrice,
            "currencyId" => Self::CurrencyId,
            "categoryId" => Self::CategoryId,
            "picture" => Self::Picture,
            "description" => Self::Description,
            "barcode" => Self::Barcode,
            "weight" => Self::Weight,
            "dimensions" => Self::Dimensions,
            "count" => Self::Count,
            "quantity" => Self::Quantity,
            "group_id" => Self::GroupId,
            "country_of_origin" => Self::CountryOfOrigin,
            "sales_notes" => Self::SalesNotes,
            _ => return None,
        })
    }

    fn element(&self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Title => "title",
            Self::TypePrefix => "typePrefix",
            Self::Vendor => "vendor",
            Self::Model => "model",
            Self::VendorCode => "vendorCode",
            Self::Url => "url",
            Self::Price => "price",
            Self::OldPrice => "oldprice",
            Self::CurrencyId => "currencyId",
            Self::CategoryId => "categoryId",
            Self::Picture => "picture",
            Self::Description => "description",
            Self::Barcode => "barcode",
            Self::Param { .. } => "param",
            Self::Weight => "weight",
            Self::Dimensions => "dimensions",
            Self::Count => "count",
            Self::Quantity => "quantity",
            Self::GroupId => "group_id",
            Self::CountryOfOrigin => "country_of_origin",
            Self::SalesNotes => "sales_notes",
            Self::Stock { .. } => "stock",
        }
    }
}

/// An offer being read.
pub(crate) struct OfferBuilder {
    pub(crate) offer: Offer,
    /// Stack level of the `<offer>` element.
    pub(crate) level: usize,
    /// Absolute offset of its start (for the size limit).
    pub(crate) start: u64,
    has_id: bool,
    title: Option<String>,
    count: Option<i64>,
    quantity: Option<i64>,
    reasons: Vec<String>,
    more_reasons: usize,
}

impl OfferBuilder {
    pub(crate) fn new(position: Position, level: usize, start: u64) -> Self {
        Self {
            offer: Offer {
                position,
                ..Offer::default()
            },
            level,
            start,
            has_id: false,
            title: None,
            count: None,
            quantity: None,
            reasons: Vec::new(),
            more_reasons: 0,
        }
    }

    /// Records why the offer cannot be taken (it is still read to its end).
    pub(crate) fn reject(&mut self, reason: String) {
        if self.reasons.len() < MAX_REASONS {
            self.reasons.push(reason);
        } else {
            self.more_reasons += 1;
        }
    }

    /// An element starts inside the offer at stack `level`, below `parent`: the field its text
    /// goes to, if any (outlets are complete at their start tag).
    pub(crate) fn child_start(
        &mut self,
        e: &BytesStart<'_>,
        level: usize,
        parent: Option<&str>,
        check: bool,
    ) -> Option<OfferField> {
        let name = e.name().into_inner();
        if level == self.level + 2 && name == "outlet" && parent == Some("outlets") {
            let (mut id, mut warehouse, mut instock) = (None, None, None);
            let parsed = for_each_attribute(e, check, |key, value| match key {
                "id" => id = Some(value.to_owned()),
                "warehouse_name" => warehouse = Some(value.to_owned()),
                "instock" => instock = Some(value.to_owned()),
                _ => {}
            });
            match parsed {
                Ok(()) => self.outlet(id, warehouse, instock.as_deref()),
                Err(message) => self.reject(message),
            }
            return None;
        }
        if level != self.level + 1 {
            return None;
        }
        if name != "param" && name != "stock" {
            return OfferField::of(name);
        }
        let (mut param, mut unit, mut id) = (String::new(), None, None);
        let parsed = for_each_attribute(e, check, |key, value| match key {
            "name" => param = value.to_owned(),
            "unit" if !value.is_empty() => unit = Some(value.to_owned()),
            "id" if !value.is_empty() => id = Some(value.to_owned()),
            _ => {}
        });
        if let Err(message) = parsed {
            self.reject(message);
            return None;
        }
        Some(match name {
            "param" => OfferField::Param { name: param, unit },
            _ => OfferField::Stock { id },
        })
    }

    /// One attribute of `<offer>`.
    pub(crate) fn attribute(&mut self, key: &str, value: &str) {
        match key {
            "id" if !value.is_empty() => {
                self.offer.id = value.to_owned();
                self.has_id = true;
            }
            "available" if !value.is_empty() => match parse_bool(value) {
                Some(available) => self.offer.available = Some(available),
                None => self.reject(format!("available {value:?} is neither true nor false")),
            },
            "type" if !value.is_empty() => self.offer.kind = Some(value.to_owned()),
            "group_id" if !value.is_empty() => self.offer.group_id = Some(value.to_owned()),
            _ => {}
        }
    }

    /// One `outlets/outlet` element's attributes.
    fn outlet(&mut self, id: Option<String>, warehouse: Option<String>, instock: Option<&str>) {
        let Some(text) = instock else {
            self.reject("outlet without instock".to_owned());
            return;
        };
        match parse_whole(text) {
            Some(instock) => self.offer.outlets.push(Outlet {
                id,
                warehouse_name: warehouse,
                instock,
            }),
            None => self.reject(format!("outlet instock {text:?} is not a whole number")),
        }
    }

    /// A field's complete text (trimmed, references resolved); `check` for characters XML
    /// forbids unless the input is known to have none.
    pub(crate) fn set(&mut self, field: OfferField, text: &str, check: bool) {
        if let Some(c) = check.then(|| forbidden_char(text)).flatten() {
            let element = field.element();
            self.reject(format!(
                "<{element}> contains the forbidden character {c:?}"
            ));
            return;
        }
        let owned = || (!text.is_empty()).then(|| text.to_owned());
        let offer = &mut self.offer;
        match field {
            OfferField::Name => offer.name = owned(),
            OfferField::Title => self.title = owned(),
            OfferField::TypePrefix => offer.type_prefix = owned(),
            OfferField::Vendor => offer.vendor = owned(),
            OfferField::Model => offer.model = owned(),
            OfferField::VendorCode => offer.vendor_code = owned(),
            OfferField::Url => offer.url = owned(),
            OfferField::CurrencyId => offer.currency_id = owned(),
            OfferField::CategoryId => offer.category_id = owned(),
            OfferField::Description => offer.description = owned(),
            OfferField::GroupId => offer.group_id = offer.group_id.take().or_else(owned),
            OfferField::CountryOfOrigin => offer.country_of_origin = owned(),
            OfferField::SalesNotes => offer.sales_notes = owned(),
            OfferField::Barcode => offer.barcodes.extend(owned()),
            OfferField::Picture => offer.pictures.extend(
                text.split('|')
                    .map(trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
            ),
            OfferField::Param { name, unit } => {
                offer.params.push(Param {
                    name,
                    unit,
                    value: text.to_owned(),
                });
            }
            OfferField::Price | OfferField::OldPrice | OfferField::Weight if text.is_empty() => {}
            OfferField::Price | OfferField::OldPrice | OfferField::Weight => {
                let Some(value) = parse_decimal(text) else {
                    let element = field.element();
                    self.reject(format!("{element} {text:?} is not a decimal number"));
                    return;
                };
                match field {
                    OfferField::Price => offer.price = Some(value),
                    OfferField::OldPrice => offer.old_price = Some(value),
                    _ => offer.weight_kg = Some(value),
                }
            }
            OfferField::Dimensions if text.is_empty() => {}
            OfferField::Dimensions => match parse_dimensions(text) {
                Some(dimensions) => offer.dimensions = Some(dimensions),
                None => self.reject(format!(
                    "dimensions {text:?} are not \"length/width/height\""
                )),
            },
            OfferField::Count | OfferField::Quantity if text.is_empty() => {}
            OfferField::Count | OfferField::Quantity | OfferField::Stock { .. } => {
                let element = field.element();
                let Some(n) = parse_whole(text) else {
                    self.reject(format!("{element} {text:?} is not a whole number"));
                    return;
                };
                match field {
                    OfferField::Count => self.count = Some(n),
                    OfferField::Quantity => self.quantity = Some(n),
                    OfferField::Stock { id } => {
                        self.offer.outlets.push(Outlet {
                            id,
                            warehouse_name: None,
                            instock: n,
                        });
                    }
                    _ => {}
                }
            }
        }
    }

    /// The record, or why it was rejected.
    pub(crate) fn finish(mut self) -> Item {
        if !self.has_id {
            self.reasons
                .insert(0, "the offer has no id attribute".to_owned());
        }
        let offer_id = self.has_id.then(|| self.offer.id.clone());
        let offer = &mut self.offer;
        if offer.name.is_none() {
            offer.name = self.title.take();
        }
        offer.stock = self.count.or(self.quantity);
        if offer.stock.is_none() && !offer.outlets.is_empty() {
            match offer
                .outlets
                .iter()
                .try_fold(0_i64, |sum, o| sum.checked_add(o.instock))
            {
                Some(sum) => offer.stock = Some(sum),
                None => self
                    .reasons
                    .push("the outlets' instock overflows".to_owned()),
            }
        }
        if self.reasons.is_empty() {
            return Item::Offer(self.offer);
        }
        let mut reason = self.reasons.join("; ");
        if self.more_reasons > 0 {
            reason.push_str(&format!("; and {} more", self.more_reasons));
        }
        Item::Rejected(OfferError {
            offer_id,
            position: self.offer.position,
            reason,
        })
    }
}

/// `L/W/H` in centimetres.
fn parse_dimensions(text: &str) -> Option<Dimensions> {
    let mut parts = text.split('/').map(|p| parse_decimal(p.trim()));
    let dimensions = Dimensions {
        length_cm: parts.next()??,
        width_cm: parts.next()??,
        height_cm: parts.next()??,
    };
    parts.next().is_none().then_some(dimensions)
}
