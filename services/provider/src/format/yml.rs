//! YML and other XML feeds through package_yml's streaming reader: the same reader for both (a
//! root other than `<yml_catalog>` is the reader's `NotYmlCatalog` feed error).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use carpetti_yml::{Item, Limits, Shop, YmlReader};

use super::{FormatError, OfferStream};

pub(crate) struct YmlStream {
    reader: YmlReader<Box<dyn BufRead + Send>>,
}

pub(crate) fn open(path: &Path) -> Result<YmlStream, FormatError> {
    let file = File::open(path).map_err(|e| FormatError::io("opening the XML feed", e))?;
    let reader = YmlReader::from_read(BufReader::with_capacity(1 << 16, file), Limits::default())?;
    Ok(YmlStream { reader })
}

impl OfferStream for YmlStream {
    fn next_item(&mut self) -> Result<Option<Item>, FormatError> {
        Ok(self.reader.next_item()?)
    }

    fn shop(&self) -> &Shop {
        self.reader.shop()
    }

    fn bytes_read(&self) -> u64 {
        self.reader.bytes_read()
    }
}
