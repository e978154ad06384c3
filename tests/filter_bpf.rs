//! The classic BPF that a live capture attaches to its socket (issue 18),
//! run by the interpreter in `filter::tcpdump::bpf` as the kernel would:
//! on every frame of every capture here, for every expression tcpdump's
//! verdicts were recorded for, it keeps exactly the frames the user-space
//! matcher keeps; and on the recorded verdicts themselves (no tcpdump
//! needed) exactly the frames tcpdump kept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};
use wirepeek::filter::TcpdumpFilter;
use wirepeek::filter::tcpdump::bpf;
use wirepeek::frame::{FrameRecord, LinkType};

mod common;

fn frames(path: &Path) -> Vec<FrameRecord> {
    let Ok(mut source) = FileSource::open(&path.to_string_lossy()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while let Ok(Next::Frame(f)) = source.next_frame() {
        out.push(f);
    }
    out
}

fn expressions() -> Vec<String> {
    let mut exprs: Vec<String> = include_str!("fixtures/filter/verdict-expressions.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    // Long enough that its jumps pass the 255 instructions an 8-bit offset
    // reaches, so the spread layout (unconditional 32-bit jumps) runs too.
    let ports: Vec<String> = (7000..7060).map(|p| format!("port {p}")).collect();
    exprs.push(format!("({}) and not arp", ports.join(" or ")));
    exprs
}

fn capture_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [root.join("captures"), root.join("tests/fixtures/filter")] {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|e| e == "pcap") {
                files.push(entry.path());
            }
        }
    }
    if let Some(corpus) = common::corpus() {
        for entry in std::fs::read_dir(corpus).into_iter().flatten().flatten() {
            files.push(entry.path());
        }
    }
    files.sort();
    files
}

#[test]
fn compiled_programs_keep_exactly_what_the_matcher_keeps_on_every_frame() {
    let exprs = expressions();
    let mut by_link: HashMap<LinkType, Vec<FrameRecord>> = HashMap::new();
    for path in capture_files() {
        for f in frames(&path) {
            if matches!(f.link, LinkType::ETHERNET | LinkType::RAW) {
                by_link.entry(f.link).or_default().push(f);
            }
        }
    }
    let (mut compiled, mut refused, mut comparisons) = (0, 0, 0u64);
    let mut failures = Vec::new();
    for expr in &exprs {
        let Ok(filter) = TcpdumpFilter::parse(expr) else {
            continue;
        };
        for (link, frames) in &by_link {
            if filter.check_link(*link).is_err() {
                continue;
            }
            let Some(program) = filter.compile_bpf(*link) else {
                refused += 1;
                continue;
            };
            compiled += 1;
            if expr.starts_with("(port 7000") {
                let jumps = program.iter().filter(|i| i.code == 0x05).count();
                assert!(
                    jumps > 100,
                    "the long expression takes the spread layout: {jumps} jumps"
                );
            }
            assert!(
                program.len() <= 4096,
                "{expr}: {} instructions",
                program.len()
            );
            for f in frames {
                comparisons += 1;
                let kernel = bpf::run(&program, &f.data, f.orig_len).is_some();
                if kernel != filter.matches(f) && failures.len() < 20 {
                    failures.push(format!(
                        "`{expr}` on {} frame {}: bpf {kernel}, matcher {}",
                        link.name(),
                        f.number,
                        !kernel
                    ));
                }
            }
        }
    }
    println!(
        "filter_bpf: {} expressions, {compiled} (expression, link type) programs compiled, {refused} left to user space, \
         {comparisons} frame verdicts compared ({} Ethernet and raw-IP frames)",
        exprs.len(),
        by_link.values().map(Vec::len).sum::<usize>()
    );
    assert!(compiled > 150, "only {compiled} programs compiled");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn compiled_programs_keep_what_tcpdump_kept_in_its_recorded_verdicts() {
    let tsv = include_str!("fixtures/filter/tcpdump-verdicts.tsv");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cache: HashMap<&str, Vec<FrameRecord>> = HashMap::new();
    let (mut checked, mut failures) = (0, Vec::new());
    for line in tsv.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [file, expr, "keep", kept] = cols[..] else {
            continue;
        };
        let frames = cache
            .entry(file)
            .or_insert_with(|| frames(&root.join(file)));
        let Some(link) = frames.first().map(|f| f.link) else {
            continue;
        };
        let Some(program) = TcpdumpFilter::parse(expr)
            .ok()
            .and_then(|f| f.compile_bpf(link))
        else {
            continue;
        };
        let ours: Vec<String> = frames
            .iter()
            .enumerate()
            .filter(|(_, f)| bpf::run(&program, &f.data, f.orig_len).is_some())
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        let ours = if ours.is_empty() {
            "-".to_string()
        } else {
            ours.join(",")
        };
        checked += 1;
        if ours != kept {
            failures.push(format!(
                "{file}: `{expr}`: bpf keeps {ours}, tcpdump {kept}"
            ));
        }
    }
    println!("filter_bpf: {checked} recorded tcpdump verdicts checked against compiled programs");
    assert!(
        checked > 400,
        "only {checked} verdicts had a compiled program"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn what_the_kernel_view_would_change_is_left_to_user_space() {
    for expr in [
        "vlan",
        "vlan 10 and ip",
        "ether[12:2] = 0x8100",
        "ether proto 0x8100",
        "tcp[tcp[12] >> x] = 1",
    ] {
        let Ok(filter) = TcpdumpFilter::parse(expr) else {
            continue;
        };
        assert!(
            filter.compile_bpf(LinkType::ETHERNET).is_none(),
            "{expr} compiled"
        );
    }
    let tcp = TcpdumpFilter::parse("tcp port 80").expect("parses");
    assert!(
        tcp.compile_bpf(LinkType::LINUX_SLL).is_none(),
        "cooked frames are built in user space"
    );
    let program = tcp.compile_bpf(LinkType::ETHERNET).expect("compiles");
    let text = bpf::disassemble(&program);
    assert!(text.starts_with("(000) ldh      [12]"), "{text}");
    assert!(text.contains("ldxb     4*([14]&0xf)"), "{text}");
    assert!(
        text.contains("ret      #262144") && text.contains("ret      #0"),
        "{text}"
    );
}
