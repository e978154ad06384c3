//! Parquet files through the `parquet` crate's low-level column writers (no
//! Arrow): every column optional; integers INT64, booleans BOOLEAN, text
//! BYTE_ARRAY annotated UTF8 (STRING), times INT64 TIMESTAMP(NANOS, UTC),
//! intervals DOUBLE; Snappy pages, dictionary encoding where it pays. Each
//! flushed batch is one row group.

use std::fs::File;
use std::io;
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::table::{Batch, Column, Kind};

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

/// One Parquet file being written.
pub struct ParquetFile {
    writer: SerializedFileWriter<File>,
    defs: Vec<i16>,
}

impl ParquetFile {
    pub fn create(file: File, columns: &[Column]) -> io::Result<ParquetFile> {
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("wirepeek {}", env!("CARGO_PKG_VERSION")))
            .build();
        let schema = schema(columns).map_err(other)?;
        let writer =
            SerializedFileWriter::new(file, Arc::new(schema), Arc::new(props)).map_err(other)?;
        Ok(ParquetFile {
            writer,
            defs: Vec::new(),
        })
    }

    /// Write the batch as one row group.
    pub fn write(&mut self, columns: &[Column], batch: &Batch) -> io::Result<()> {
        if batch.rows == 0 {
            return Ok(());
        }
        let mut group = self.writer.next_row_group().map_err(other)?;
        let mut i = 0;
        while let Some(mut col) = group.next_column().map_err(other)? {
            let values = &batch.columns[i];
            self.defs.clear();
            self.defs
                .extend(values.present.iter().map(|&p| i16::from(p)));
            let defs = Some(&self.defs[..]);
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
                    let texts: Vec<ByteArray> = values
                        .ends
                        .iter()
                        .map(|&end| {
                            let b = ByteArray::from(all.slice(start..end));
                            start = end;
                            b
                        })
                        .collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&texts, defs, None)
                        .map_err(other)?;
                }
            }
            col.close().map_err(other)?;
            i += 1;
        }
        group.close().map_err(other)?;
        Ok(())
    }

    /// Write the footer; the file is complete.
    pub fn finish(self) -> io::Result<()> {
        self.writer.close().map_err(other)?;
        Ok(())
    }
}
