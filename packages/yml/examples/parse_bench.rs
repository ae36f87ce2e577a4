//! Parse speed of the YML reader. `cargo run --release -p carpetti-yml --example parse_bench`
//! writes a feed of 100,000 realistic offers (~750 bytes each: CDATA HTML description, pictures,
//! params, outlets) to a temporary file, reads it back and prints offers/s and MB/s, by the wall
//! clock and by this thread's CPU time (the machine is shared); `-- N` changes the count, `KEEP=1`
//! keeps the file. `-- FILE` reads that feed instead and lists its rejections.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use carpetti_yml::{Item, Limits, YmlReader};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arg = std::env::args().nth(1);
    if let Some(path) = arg.as_deref().filter(|a| a.parse::<u64>().is_err()) {
        return read(path, true);
    }
    let count = arg.and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let path =
        std::env::temp_dir().join(format!("carpetti-parse-bench-{}.xml", std::process::id()));
    generate(&path, count)?;
    let result = read(&path.to_string_lossy(), false);
    if std::env::var_os("KEEP").is_none() {
        std::fs::remove_file(&path)?;
    }
    result
}

fn read(path: &str, list: bool) -> Result<(), Box<dyn std::error::Error>> {
    let size = std::fs::metadata(path)?.len();
    let started = Instant::now();
    let cpu_started = cpu_seconds();
    let mut reader = YmlReader::from_read(File::open(path)?, Limits::default())?;
    let (mut offers, mut rejected) = (0_u64, 0_u64);
    while let Some(item) = reader.next_item()? {
        match item {
            Item::Offer(_) => offers += 1,
            Item::Rejected(error) => {
                rejected += 1;
                if list {
                    println!("rejected: {error}");
                }
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_started;
    let shop = reader.into_shop();
    println!(
        "{path}: {offers} offers, {rejected} rejected, {} categories, {} currencies, {size} bytes",
        shop.categories.len(),
        shop.currencies.len()
    );
    let items = (offers + rejected) as f64;
    println!(
        "wall {seconds:.3} s: {:.0} offers/s, {:.0} MB/s; on-CPU {cpu:.3} s: {:.0} offers/s, {:.0} MB/s",
        items / seconds,
        size as f64 / seconds / 1e6,
        items / cpu,
        size as f64 / cpu / 1e6
    );
    Ok(())
}

/// CPU time of this thread (Linux `/proc/thread-self/schedstat`, nanoseconds on the CPU): the
/// machine is shared, so wall time alone says little.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|n| n.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |ns| ns / 1e9)
}

fn generate(path: &std::path::Path, count: u64) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(out, "<!DOCTYPE yml_catalog SYSTEM \"shops.dtd\">")?;
    writeln!(
        out,
        "<yml_catalog date=\"2026-03-15 12:00\">\n<shop>\n<name>Bench</name>"
    )?;
    writeln!(
        out,
        "<company>ООО \"Бенч\"</company>\n<url>https://bench.example</url>"
    )?;
    writeln!(
        out,
        "<currencies><currency id=\"RUR\" rate=\"1\"/></currencies>\n<categories>"
    )?;
    for id in 1..=200 {
        writeln!(
            out,
            "<category id=\"{id}\" parentId=\"{}\">Категория {id}</category>",
            id / 10
        )?;
    }
    writeln!(out, "</categories>\n<offers>")?;
    for n in 0..count {
        write!(
            out,
            r#"<offer id="SKU-{n:08}" available="true">
<name>Чайник Bosch TWK-{m} Steel &amp; Glass</name>
<url>https://bench.example/p/{n}</url>
<price>{rub}.{kop:02}</price>
<currencyId>RUR</currencyId>
<categoryId>{cat}</categoryId>
<picture>https://cdn.bench.example/{n}/1.jpg</picture>
<picture>https://cdn.bench.example/{n}/2.jpg</picture>
<vendor>Bosch</vendor>
<description><![CDATA[<p>Корпус из стали и стекла, 1,7 л.</p><ul><li>2200 Вт</li></ul>]]></description>
<barcode>46{n:011}</barcode>
<param name="Мощность" unit="Вт">2200</param>
<param name="Цвет">серебристый</param>
<param name="Цвет">чёрный</param>
<weight>1.250</weight>
<outlets><outlet id="1" instock="{s1}"/><outlet id="2" instock="{s2}"/></outlets>
</offer>
"#,
            m = 1000 + n % 9000,
            rub = 199 + n % 99_800,
            kop = n % 100,
            cat = 1 + n % 200,
            s1 = n % 7,
            s2 = n % 3,
        )?;
    }
    writeln!(out, "</offers>\n</shop>\n</yml_catalog>")?;
    out.flush()
}
