//! Parquet files through the `parquet` crate's low-level column writers (no
//! Arrow): every column optional; integers INT64, booleans BOOLEAN, text
//! BYTE_ARRAY annotated UTF8 (STRING), times INT64 TIMESTAMP(NANOS, UTC),
//! intervals DOUBLE; Snappy pages. Each flushed batch is one row group,
//! each column written with one `write_batch` of its values and levels.
//!
//! Encodings are chosen per column from the file's first batch (`plan`):
//! a dictionary where the values repeat (protocols, ports, addresses,
//! MACs), else DELTA_BINARY_PACKED for integers and times (frame numbers,
//! sequence numbers, IDs; not compressed, as Snappy finds nothing in
//! them) and PLAIN for text, so values that do not repeat are not hashed.
//! Min/max statistics are kept per column chunk (what engines prune row
//! groups with), not per page, for every column but `community_id` (a
//! hash, whose range prunes nothing).

use std::fs::File;
use std::io;
use std::sync::Arc;

use parquet::basic::{Compression, Encoding, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{ColumnPath, Type};

use super::packets::COMMUNITY_ID;
use super::table::{Batch, Column, Kind, Values};

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("parquet: {e}"))
}

/// The file's schema: one optional leaf per column.
fn schema(columns: &[Column]) -> parquet::errors::Result<Type> {
    let mut fields = Vec::with_capacity(columns.len());
    for c in columns {
        let (physical, logical) = match c.kind {
            Kind::Int => (Physical::INT64, None),
            Kind::Bool => (Physical::BOOLEAN, None),
            Kind::Double => (Physical::DOUBLE, None),
            Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
            Kind::Timestamp => (
                Physical::INT64,
                Some(LogicalType::timestamp(true, TimeUnit::NANOS)),
            ),
        };
        let leaf = Type::primitive_type_builder(&c.name, physical)
            .with_repetition(Repetition::OPTIONAL)
            .with_logical_type(logical)
            .build()?;
        fields.push(Arc::new(leaf));
    }
    Type::group_type_builder("schema")
        .with_fields(fields)
        .build()
}

/// Values looked at to judge whether a column repeats.
const SAMPLE: usize = 1024;

/// Whether a column's first values repeat enough for a dictionary: at
/// most one distinct value in four (a column with no values yet counts as
/// repeating; a dictionary that outgrows its page falls back to plain).
pub fn repeats(kind: Kind, values: &Values) -> bool {
    let distinct = match kind {
        Kind::Int | Kind::Timestamp => {
            let mut v: Vec<i64> = values.ints.iter().take(SAMPLE).copied().collect();
            v.sort_unstable();
            v.dedup();
            v.len()
        }
        Kind::Text => {
            let n = values.ends.len().min(SAMPLE);
            let mut v: Vec<&str> = (0..n).map(|i| values.text_at(i)).collect();
            v.sort_unstable();
            v.dedup();
            v.len()
        }
        Kind::Bool | Kind::Double => return false,
    };
    let sampled = values.rows.len().min(SAMPLE);
    distinct <= 16 || distinct * 4 <= sampled
}

/// The writer's settings for columns whose first values are `first`.
fn plan(columns: &[Column], first: &Batch) -> WriterProperties {
    let mut props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_created_by(format!("wirepeek {}", env!("CARGO_PKG_VERSION")));
    for (c, values) in columns.iter().zip(&first.columns) {
        let path = ColumnPath::from(c.name.as_str());
        if c.name == COMMUNITY_ID {
            // A hash: its min and max span everything and prune nothing.
            props = props.set_column_statistics_enabled(path.clone(), EnabledStatistics::None);
        }
        // Text always tries a dictionary: hashing a value costs less than
        // Snappy's search through its plain bytes, even when few repeat
        // (and a dictionary that outgrows its page falls back to plain).
        if c.kind == Kind::Text || repeats(c.kind, values) {
            continue;
        }
        props = props.set_column_dictionary_enabled(path.clone(), false);
        match c.kind {
            Kind::Int | Kind::Timestamp => {
                // Bit-packed deltas leave Snappy nothing to find.
                props = props
                    .set_column_encoding(path.clone(), Encoding::DELTA_BINARY_PACKED)
                    .set_column_compression(path, Compression::UNCOMPRESSED);
            }
            Kind::Text | Kind::Bool | Kind::Double => {
                props = props.set_column_encoding(path, Encoding::PLAIN);
            }
        }
    }
    props.build()
}

/// One Parquet file being written: its writer is made with the first
/// batch, whose values choose the encodings.
pub struct ParquetFile {
    file: Option<File>,
    columns: Vec<Column>,
    schema: Arc<Type>,
    /// Boxed: the writer is large beside the NDJSON one.
    writer: Option<Box<SerializedFileWriter<File>>>,
    levels: Vec<i16>,
    texts: Vec<ByteArray>,
}

impl ParquetFile {
    pub fn create(file: File, columns: &[Column]) -> io::Result<ParquetFile> {
        Ok(ParquetFile {
            file: Some(file),
            columns: columns.to_vec(),
            schema: Arc::new(schema(columns).map_err(other)?),
            writer: None,
            levels: Vec::new(),
            texts: Vec::new(),
        })
    }

    fn writer(
        &mut self,
        columns: &[Column],
        first: &Batch,
    ) -> io::Result<&mut SerializedFileWriter<File>> {
        if self.writer.is_none() {
            let file = self
                .file
                .take()
                .ok_or_else(|| other("the file was given up on"))?;
            let props = Arc::new(plan(columns, first));
            let w = SerializedFileWriter::new(file, self.schema.clone(), props).map_err(other)?;
            self.writer = Some(Box::new(w));
        }
        self.writer
            .as_deref_mut()
            .ok_or_else(|| other("the file was given up on"))
    }

    /// Write the batch as one row group.
    pub fn write(&mut self, columns: &[Column], batch: &Batch) -> io::Result<()> {
        if batch.rows == 0 {
            return Ok(());
        }
        let mut levels = std::mem::take(&mut self.levels);
        let mut texts = std::mem::take(&mut self.texts);
        let mut group = self
            .writer(columns, batch)?
            .next_row_group()
            .map_err(other)?;
        let mut i = 0;
        while let Some(mut col) = group.next_column().map_err(other)? {
            let values = &batch.columns[i];
            values.levels(batch.rows, &mut levels);
            let defs = Some(&levels[..]);
            match columns[i].kind {
                Kind::Int | Kind::Timestamp => {
                    col.typed::<Int64Type>()
                        .write_batch(&values.ints, defs, None)
                        .map_err(other)?;
                }
                Kind::Bool => {
                    col.typed::<BoolType>()
                        .write_batch(&values.bools, defs, None)
                        .map_err(other)?;
                }
                Kind::Double => {
                    col.typed::<DoubleType>()
                        .write_batch(&values.doubles, defs, None)
                        .map_err(other)?;
                }
                Kind::Text => {
                    let all = bytes::Bytes::copy_from_slice(&values.text);
                    let mut start = 0;
                    texts.clear();
                    texts.extend(values.ends.iter().map(|&end| {
                        let b = ByteArray::from(all.slice(start..end));
                        start = end;
                        b
                    }));
                    col.typed::<ByteArrayType>()
                        .write_batch(&texts, defs, None)
                        .map_err(other)?;
                    texts.clear();
                }
            }
            col.close().map_err(other)?;
            i += 1;
        }
        group.close().map_err(other)?;
        self.levels = levels;
        self.texts = texts;
        Ok(())
    }

    /// Write the footer; the file is complete.
    pub fn finish(mut self) -> io::Result<()> {
        let columns = std::mem::take(&mut self.columns);
        self.writer(&columns, &Batch::new(columns.len()))?;
        if let Some(w) = self.writer.take() {
            w.close().map_err(other)?;
        }
        Ok(())
    }
}
