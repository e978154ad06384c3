use super::*;

fn frame(number: u64, len: usize) -> FrameRecord {
    FrameRecord {
        number,
        ts: Some(Timestamp {
            secs: 100 + number as i64,
            nanos: 5,
        }),
        precision: TsPrecision::Nano,
        link: LinkType::RAW,
        orig_len: len as u32 + 3,
        iface: 2,
        data: (0..len).map(|b| (b + number as usize) as u8).collect(),
    }
}

/// A "file" in memory that counts its reads.
#[derive(Debug, Default)]
struct Counted {
    bytes: Vec<u8>,
    reads: std::sync::atomic::AtomicUsize,
}

impl FrameBytes for std::sync::Arc<Counted> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        self.reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let at = offset as usize;
        let src = self
            .bytes
            .get(at..at + buf.len())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

/// `n` frames laid out one after another with a 16-byte gap (a record
/// header) before each, and their index entries.
fn file_of(n: u64, len: impl Fn(u64) -> usize) -> (Counted, Vec<Indexed>) {
    let mut file = Counted::default();
    let mut index = Vec::new();
    for number in 1..=n {
        file.bytes.extend_from_slice(&[0xee; 16]);
        let f = frame(number, len(number));
        index.push(Indexed::of(&f, file.bytes.len() as u64));
        file.bytes.extend_from_slice(&f.data);
    }
    (file, index)
}

#[test]
fn frames_come_back_exactly_as_they_went_in() {
    let mut store = FrameStore::default();
    for n in 1..=50 {
        store.push(&frame(n, 10 * n as usize));
    }
    assert_eq!(store.len(), 50);
    let f = store.frame(41).expect("frame 42 is there");
    let want = frame(42, 420);
    assert_eq!(f.number, 42);
    assert_eq!(f.data, want.data);
    assert_eq!(f.ts, want.ts);
    assert_eq!(f.orig_len, want.orig_len);
    assert_eq!(f.link, LinkType::RAW);
    assert_eq!(f.iface, 2);
    assert_eq!(f.precision, TsPrecision::Nano);
    assert!(store.frame(50).is_none());
}

#[test]
fn a_frame_larger_than_a_chunk_gets_its_own() {
    let mut store = FrameStore::default();
    store.push(&frame(1, 10));
    store.push(&frame(2, CHUNK + 1));
    store.push(&frame(3, 10));
    assert_eq!(store.frame(1).map(|f| f.data.len()), Some(CHUNK + 1));
    assert_eq!(store.frame(2).map(|f| f.data), Some(frame(3, 10).data));
}

#[test]
fn a_limited_store_keeps_the_newest_frames_under_their_own_indices() {
    let mut store = FrameStore::with_limit(Some(10));
    for n in 1..=100 {
        store.push(&frame(n, 20));
    }
    assert_eq!(store.held(), 10);
    assert_eq!(store.len(), 100);
    assert_eq!(store.first(), 90);
    assert!(store.frame(89).is_none());
    assert_eq!(store.frame(90).map(|f| f.number), Some(91));
    assert_eq!(store.frame(99).map(|f| f.data), Some(frame(100, 20).data));
    assert_eq!(store.bytes(), 10 * 20);
    assert_eq!(store.first_ts(), frame(1, 0).ts);
}

#[test]
fn a_limited_store_frees_chunks_no_frame_uses() {
    let mut store = FrameStore::with_limit(Some(3));
    // Each frame fills most of a chunk, so each gets its own.
    for n in 1..=20 {
        store.push(&frame(n, CHUNK - 100));
    }
    assert_eq!(store.held(), 3);
    assert!(store.allocated() <= 4 * CHUNK, "{}", store.allocated());
    assert_eq!(store.frame(19).map(|f| f.data.len()), Some(CHUNK - 100));
    assert_eq!(
        store.frame(17).map(|f| f.data[0]),
        Some(frame(18, 1).data[0])
    );
}

#[test]
fn a_file_backed_store_reads_each_frame_back_from_its_offset() {
    let (file, index) = file_of(300, |n| 40 + (n as usize * 7) % 1500);
    let file = std::sync::Arc::new(file);
    let mut store = FrameStore::default();
    store.set_backing(Box::new(file.clone()));
    for e in &index {
        store.push_indexed(e);
    }
    assert_eq!(store.len(), 300);
    // Jumps, then a forward walk, then backwards: each frame is its own.
    for i in [250, 3, 299, 0]
        .into_iter()
        .chain(100..200)
        .chain((0..50).rev())
    {
        let want = frame(i as u64 + 1, 40 + ((i + 1) * 7) % 1500);
        let got = store.frame(i).expect("the frame reads back");
        assert_eq!(got.data, want.data, "frame {i}");
        assert_eq!(
            (got.number, got.ts, got.orig_len),
            (want.number, want.ts, want.orig_len)
        );
        assert_eq!(
            (got.link, got.iface, got.precision),
            (want.link, want.iface, want.precision)
        );
    }
    // No frame's bytes are held, only the read-ahead window.
    assert!(
        store.allocated() <= WINDOW + 64 * 1024,
        "{}",
        store.allocated()
    );
    assert!(store.frame(300).is_none());
}

#[test]
fn a_forward_walk_reads_many_frames_per_read() {
    let (file, index) = file_of(10_000, |_| 100);
    let file = std::sync::Arc::new(file);
    let mut store = FrameStore::default();
    store.set_backing(Box::new(file.clone()));
    for e in &index {
        store.push_indexed(e);
    }
    let mut f = empty_frame();
    for i in 0..10_000 {
        assert!(store.load_into(i, &mut f));
        assert_eq!(f.data, frame(i as u64 + 1, 100).data);
    }
    let reads = file.reads.load(std::sync::atomic::Ordering::Relaxed);
    // 1.16 MB of records in 1 MiB windows: a handful of reads, not 10,000.
    assert!(reads <= 5, "{reads} reads");
}

#[test]
fn a_frame_whose_bytes_are_gone_is_not_there() {
    let (mut file, index) = file_of(10, |_| 100);
    file.bytes.truncate(index[5].at as usize + 50);
    let mut store = FrameStore::default();
    store.set_backing(Box::new(std::sync::Arc::new(file)));
    for e in &index {
        store.push_indexed(e);
    }
    assert!(store.frame(4).is_some());
    assert!(store.frame(5).is_none(), "cut in the middle");
    assert!(store.frame(9).is_none());
    // The forward walk over the cut falls back to reading one frame.
    let mut f = empty_frame();
    assert!(store.load_into(3, &mut f) && store.load_into(4, &mut f));
}

#[test]
fn an_out_of_range_fraction_of_a_second_is_kept() {
    let mut store = FrameStore::default();
    let mut f = frame(1, 4);
    f.ts = Some(Timestamp {
        secs: 7,
        nanos: 4_000_000_000,
    });
    store.push(&f);
    store.push(&frame(2, 4));
    assert_eq!(store.ts(0), f.ts);
    assert_eq!(store.frame(0).and_then(|f| f.ts), f.ts);
    assert_eq!(store.ts(1), frame(2, 4).ts);
}

#[test]
fn an_index_entry_is_24_bytes() {
    assert_eq!(std::mem::size_of::<Entry>(), 24);
}

#[test]
fn numbers_with_gaps_times_far_apart_and_many_interfaces_come_back_whole() {
    let mut store = FrameStore::with_limit(Some(300));
    let mut want = Vec::new();
    for k in 0..1000u64 {
        let mut f = frame(k, 4);
        // A capture filter's gaps in the numbering, every 7th frame.
        f.number = 1 + k + k / 7 * 3;
        // Times a century apart, and none at all.
        f.ts = match k % 5 {
            0 => Some(Timestamp {
                secs: -3_000_000_000 + k as i64,
                nanos: 7,
            }),
            1 => None,
            _ => f.ts,
        };
        // More (link, interface) pairs than the entry has room for.
        f.iface = (k * 97 % 70_000) as u32;
        store.push(&f);
        want.push(f);
    }
    assert_eq!(store.first(), 700);
    assert!(store.numbers.len() < 150, "{}", store.numbers.len());
    for (i, f) in want.iter().enumerate().skip(700) {
        let got = store.frame(i).expect("held");
        let fields =
            |f: &FrameRecord| (f.number, f.ts, f.iface, f.link, f.orig_len, f.data.clone());
        assert_eq!(fields(&got), fields(f), "frame {i}");
        assert_eq!(store.number(i), Some(f.number));
    }
    assert!(store.frame(699).is_none());
}
