//! Gzip on local disk: recognising a gzip file (by its magic bytes or a `.gz` name) and
//! decompressing it into a temporary file under a size limit (a gzip bomb stops at the limit).
//! Blocking code: async callers run it on `spawn_blocking`.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use super::{Downloaded, FeedFile, SourceError, Validators};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Whether the file starts with the gzip magic bytes.
pub fn is_gzip_file(path: &Path) -> io::Result<bool> {
    let mut head = [0u8; 2];
    let mut file = File::open(path)?;
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..])? {
            0 => return Ok(false),
            n => filled += n,
        }
    }
    Ok(head == GZIP_MAGIC)
}

/// Why a decompression stopped.
pub(crate) enum Inflate {
    TooLarge,
    Io(&'static str, io::Error),
}

impl Inflate {
    pub(crate) fn into_source_error(self, source_name: &str, limit: u64) -> SourceError {
        match self {
            Inflate::TooLarge => SourceError::TooLarge {
                source_name: source_name.to_owned(),
                limit,
            },
            Inflate::Io(context, error) => SourceError::Io {
                source_name: source_name.to_owned(),
                context,
                error,
            },
        }
    }
}

/// Decompresses `src` (all gzip members) into a new temporary file in `temp_dir` (the system's
/// when `None`); refuses output over `limit` bytes. Returns the file and its size.
pub(crate) fn gunzip_to_temp(
    src: &Path,
    temp_dir: Option<&Path>,
    limit: u64,
) -> Result<(tempfile::TempPath, u64), Inflate> {
    let input = File::open(src).map_err(|e| Inflate::Io("opening the gzip file", e))?;
    let temp = new_temp(temp_dir).map_err(|e| Inflate::Io("creating a temporary file", e))?;
    let (file, path) = temp.into_parts();
    let mut decoder = MultiGzDecoder::new(BufReader::with_capacity(1 << 16, input)).take(limit + 1);
    let mut out = BufWriter::with_capacity(1 << 16, file);
    let written =
        io::copy(&mut decoder, &mut out).map_err(|e| Inflate::Io("decompressing gzip", e))?;
    if written > limit {
        return Err(Inflate::TooLarge);
    }
    out.flush()
        .map_err(|e| Inflate::Io("writing the decompressed feed", e))?;
    Ok((path, written))
}

/// A temporary file for a feed, in `dir` or the system's temporary directory.
pub(crate) fn new_temp(dir: Option<&Path>) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("carpetti-feed-");
    match dir {
        Some(dir) => builder.tempfile_in(dir),
        None => builder.tempfile(),
    }
}

/// A local feed file made ready for parsing: gzip (by magic or a `.gz` name) decompressed into a
/// temporary file, anything else used in place without a copy.
pub fn prepare_local(
    path: &Path,
    temp_dir: Option<&Path>,
    limit: u64,
) -> Result<Downloaded, SourceError> {
    let source_name = path.display().to_string();
    let io_error = |context, error| SourceError::Io {
        source_name: source_name.clone(),
        context,
        error,
    };
    let meta = std::fs::metadata(path).map_err(|e| io_error("reading the feed file", e))?;
    if !meta.is_file() {
        return Err(io_error(
            "reading the feed file",
            io::Error::other("not a regular file"),
        ));
    }
    let named_gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let gzip = named_gz || is_gzip_file(path).map_err(|e| io_error("reading the feed file", e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    if !gzip {
        if meta.len() > limit {
            return Err(SourceError::TooLarge { source_name, limit });
        }
        return Ok(Downloaded {
            file: FeedFile::Local(path.to_path_buf()),
            bytes: meta.len(),
            validators: Validators::default(),
            source: source_name,
            file_name: name,
        });
    }
    let (temp, bytes) = gunzip_to_temp(path, temp_dir, limit)
        .map_err(|e| e.into_source_error(&source_name, limit))?;
    Ok(Downloaded {
        file: FeedFile::Temp(temp),
        bytes,
        validators: Validators::default(),
        source: source_name,
        file_name: name.map(|n| strip_gz(&n)),
    })
}

/// `catalog.xml.gz` → `catalog.xml`.
pub(crate) fn strip_gz(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".gz") {
        name[..name.len() - 3].to_owned()
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(bytes).expect("write");
        enc.finish().expect("finish")
    }

    #[test]
    fn local_gzip_is_decompressed_and_plain_files_used_in_place() {
        let dir = tempfile::tempdir().expect("dir");
        let plain = dir.path().join("feed.csv");
        std::fs::write(&plain, b"id;name\n1;a\n").expect("write");
        let got = prepare_local(&plain, Some(dir.path()), 1 << 20).expect("plain");
        assert!(matches!(&got.file, FeedFile::Local(p) if p == &plain));
        assert_eq!(got.bytes, 12);

        // No .gz name: recognised by the magic bytes.
        let packed = dir.path().join("feed.bin");
        std::fs::write(&packed, gzip(b"id;name\n1;a\n")).expect("write");
        let got = prepare_local(&packed, Some(dir.path()), 1 << 20).expect("gzip");
        assert!(matches!(got.file, FeedFile::Temp(_)));
        assert_eq!(
            std::fs::read(got.path()).expect("read"),
            b"id;name\n1;a\n".to_vec()
        );
        let temp = got.path().to_path_buf();
        drop(got);
        assert!(!temp.exists(), "the temporary file goes with the value");
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit() {
        let dir = tempfile::tempdir().expect("dir");
        let packed = dir.path().join("bomb.xml.gz");
        std::fs::write(&packed, gzip(&vec![b'a'; 1 << 20])).expect("write");
        let err = prepare_local(&packed, Some(dir.path()), 1000).expect_err("too large");
        assert!(
            matches!(err, SourceError::TooLarge { limit: 1000, .. }),
            "{err}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").collect();
        assert_eq!(left.len(), 1, "only the input remains");
        assert_eq!(strip_gz("Feed.XML.GZ"), "Feed.XML");
    }
}
