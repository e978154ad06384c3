//! One table of one input, split into partitions: each open partition has
//! its file and its batch; a full batch is flushed into its file. At most
//! `MAX_OPEN` partitions are open at once (the least recently used one is
//! finished to make room, and a later row for it starts a new part), so
//! memory stays bounded however many hours an input spans.

use std::io;
use std::path::{Path, PathBuf};

use super::partition::{self, Format, OutFile, Partition};
use super::table::{Batch, Column};

/// Partitions open at once per table and input.
const MAX_OPEN: usize = 4;

struct Open {
    key: i64,
    file: OutFile,
    batch: Batch,
    used: u64,
}

pub struct TableWriter {
    pub columns: Vec<Column>,
    root: PathBuf,
    partition: Partition,
    format: Format,
    /// File names are `{prefix}-{part}.{ext}`.
    prefix: String,
    open: Vec<Open>,
    /// Parts started per partition key, for the next part's number.
    parts: Vec<(i64, u32)>,
    tick: u64,
    /// Files completed, with their rows.
    pub done: Vec<(PathBuf, u64)>,
}

impl TableWriter {
    pub fn new(
        columns: Vec<Column>,
        root: &Path,
        partition: Partition,
        format: Format,
        prefix: String,
    ) -> TableWriter {
        TableWriter {
            columns,
            root: root.to_path_buf(),
            partition,
            format,
            prefix,
            open: Vec::new(),
            parts: Vec::new(),
            tick: 0,
            done: Vec::new(),
        }
    }

    /// The batch for a row at time `ns` (its partition opened if need be).
    /// Fill one row, then call `row_done`.
    pub fn batch(&mut self, ns: i64) -> io::Result<&mut Batch> {
        let key = partition::key(self.partition, ns);
        self.tick += 1;
        let i = match self.open.iter().position(|o| o.key == key) {
            Some(i) => i,
            None => {
                if self.open.len() >= MAX_OPEN {
                    let oldest = (0..self.open.len())
                        .min_by_key(|&i| self.open[i].used)
                        .unwrap_or(0);
                    let o = self.open.swap_remove(oldest);
                    self.close(o)?;
                }
                let part = match self.parts.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, n)) => {
                        *n += 1;
                        *n
                    }
                    None => {
                        self.parts.push((key, 0));
                        0
                    }
                };
                let dir = partition::folder(&self.root, self.partition, key);
                let name = format!("{}-{part}.{}", self.prefix, self.format.extension());
                let file = OutFile::create(&dir, &name, self.format, &self.columns)?;
                self.open.push(Open {
                    key,
                    file,
                    batch: Batch::new(self.columns.len()),
                    used: 0,
                });
                self.open.len() - 1
            }
        };
        self.open[i].used = self.tick;
        Ok(&mut self.open[i].batch)
    }

    /// After a row: flush the batch of the partition last used if full.
    pub fn row_done(&mut self) -> io::Result<()> {
        let tick = self.tick;
        if let Some(o) = self.open.iter_mut().find(|o| o.used == tick) {
            o.batch.end_row();
            if o.batch.full() {
                o.file.write(&self.columns, &o.batch)?;
                o.batch.clear();
            }
        }
        Ok(())
    }

    fn close(&mut self, mut o: Open) -> io::Result<()> {
        o.file.write(&self.columns, &o.batch)?;
        let rows = o.file.rows;
        let path = o.file.finish()?;
        self.done.push((path, rows));
        Ok(())
    }

    /// Flush and finish every open file.
    pub fn finish(&mut self) -> io::Result<()> {
        while let Some(o) = self.open.pop() {
            self.close(o)?;
        }
        Ok(())
    }
}
