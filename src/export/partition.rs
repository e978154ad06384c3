//! Where rows go: Hive-style partition folders (`date=YYYY-MM-DD/` and
//! `hour=HH/`, UTC) chosen by each row's time, and output files written
//! under a hidden temporary name (`.NAME.partial`, which DuckDB's and
//! Spark's globs skip) and renamed when complete, so an interrupted export
//! leaves no file under a final name.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::table::{Batch, Column};

/// How rows are split into folders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partition {
    /// Every file in the output folder.
    None,
    /// `date=YYYY-MM-DD/`.
    Day,
    /// `date=YYYY-MM-DD/hour=HH/`.
    Hour,
}

/// The output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Ndjson,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Ndjson => "ndjson",
        }
    }
}

/// The civil date (year, month, day) of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The partition key of a time: the hour since the epoch (`Hour`), the
/// day (`Day`) or 0.
pub fn key(partition: Partition, ns: i64) -> i64 {
    const HOUR: i64 = 3_600_000_000_000;
    match partition {
        Partition::None => 0,
        Partition::Day => ns.div_euclid(24 * HOUR),
        Partition::Hour => ns.div_euclid(HOUR),
    }
}

/// The folder of a partition key, under `root`.
pub fn folder(root: &Path, partition: Partition, key: i64) -> PathBuf {
    match partition {
        Partition::None => root.to_path_buf(),
        Partition::Day => {
            let (y, m, d) = civil(key);
            root.join(format!("date={y:04}-{m:02}-{d:02}"))
        }
        Partition::Hour => {
            let (y, m, d) = civil(key.div_euclid(24));
            root.join(format!("date={y:04}-{m:02}-{d:02}"))
                .join(format!("hour={:02}", key.rem_euclid(24)))
        }
    }
}

fn with_path(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

enum Writer {
    #[cfg(feature = "parquet")]
    Parquet(super::parquet::ParquetFile),
    Ndjson(io::BufWriter<File>, Vec<u8>),
}

/// One output file, under its temporary name until `finish`.
pub struct OutFile {
    partial: PathBuf,
    done: PathBuf,
    writer: Option<Writer>,
    pub rows: u64,
}

impl OutFile {
    /// Create `dir/name` (as `dir/.name.partial` until finished).
    pub fn create(
        dir: &Path,
        name: &str,
        format: Format,
        columns: &[Column],
    ) -> io::Result<OutFile> {
        std::fs::create_dir_all(dir).map_err(|e| with_path(dir, e))?;
        let done = dir.join(name);
        let partial = dir.join(format!(".{name}.partial"));
        let file = File::create(&partial).map_err(|e| with_path(&partial, e))?;
        let writer = match format {
            #[cfg(feature = "parquet")]
            Format::Parquet => Writer::Parquet(
                super::parquet::ParquetFile::create(file, columns)
                    .map_err(|e| with_path(&partial, e))?,
            ),
            #[cfg(not(feature = "parquet"))]
            Format::Parquet => {
                let _ = (file, columns);
                let _ = std::fs::remove_file(&partial);
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "this wirepeek was built without the `parquet` feature: use --format ndjson",
                ));
            }
            Format::Ndjson => {
                Writer::Ndjson(io::BufWriter::with_capacity(1 << 20, file), Vec::new())
            }
        };
        Ok(OutFile {
            partial,
            done,
            writer: Some(writer),
            rows: 0,
        })
    }

    /// Write a batch (a Parquet row group, or its JSON lines).
    pub fn write(&mut self, columns: &[Column], batch: &Batch) -> io::Result<()> {
        self.rows += batch.rows as u64;
        let partial = &self.partial;
        match self.writer.as_mut() {
            #[cfg(feature = "parquet")]
            Some(Writer::Parquet(p)) => p.write(columns, batch),
            Some(Writer::Ndjson(w, text)) => {
                text.clear();
                super::ndjson::write_rows(text, columns, batch);
                w.write_all(text)
            }
            None => Ok(()),
        }
        .map_err(|e| with_path(partial, e))
    }

    /// Complete the file and give it its final name.
    pub fn finish(mut self) -> io::Result<PathBuf> {
        let partial = self.partial.clone();
        match self.writer.take() {
            #[cfg(feature = "parquet")]
            Some(Writer::Parquet(p)) => p.finish(),
            Some(Writer::Ndjson(w, _)) => w.into_inner().map_err(|e| e.into_error()).map(drop),
            None => Ok(()),
        }
        .map_err(|e| with_path(&partial, e))?;
        std::fs::rename(&self.partial, &self.done).map_err(|e| with_path(&self.done, e))?;
        Ok(self.done.clone())
    }
}

impl Drop for OutFile {
    /// A file given up on (an error, a stop) leaves nothing behind.
    fn drop(&mut self) {
        if self.writer.is_some() {
            self.writer = None;
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_map_to_their_civil_dates() {
        // Checked against `date -u -d @SECONDS +%F`.
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(-1), (1969, 12, 31));
        assert_eq!(civil(11_016), (2000, 2, 29));
        assert_eq!(civil(19_782), (2024, 2, 29));
        assert_eq!(civil(20_780), (2026, 11, 23));
    }

    #[test]
    fn hour_folders_nest_under_their_day() {
        let ns = 1_795_397_881_548_379_907; // 2026-11-23 01:38:01 UTC
        let root = Path::new("out");
        assert_eq!(
            folder(root, Partition::Hour, key(Partition::Hour, ns)),
            Path::new("out/date=2026-11-23/hour=01")
        );
        assert_eq!(
            folder(root, Partition::Day, key(Partition::Day, ns)),
            Path::new("out/date=2026-11-23")
        );
        assert_eq!(folder(root, Partition::None, 0), Path::new("out"));
        assert_eq!(
            folder(root, Partition::Hour, key(Partition::Hour, -1)),
            Path::new("out/date=1969-12-31/hour=23")
        );
    }
}
