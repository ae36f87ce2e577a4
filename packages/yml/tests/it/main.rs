//! carpetti-yml's integration tests: the reader on the real feeds in ../shared/testdata/feeds
//! (`read_feeds`), on the supplier quirks (`read_quirks`) and on hostile and broken input
//! (`hostile`).
//! The writer: each flavor's shape (`write`) and the round trip through our reader and lxml
//! (`round_trip`).

mod hostile;
mod read_feeds;
mod read_quirks;
mod round_trip;
mod write;
