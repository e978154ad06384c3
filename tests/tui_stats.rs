//! The Statistics tab's figures, checked against tshark: each capture is
//! loaded as the TUI loads it, `5` is pressed, the stats job runs to the
//! end, and the model's protocol hierarchy, endpoints and conversations
//! (Ethernet, IPv4, IPv6, TCP, UDP) must be what `tshark -q -z io,phs
//! -z endpoints,… -z conv,…` prints, row for row, packets and bytes; with
//! a display filter too (the TUI's `-Y`; tshark's taps ignore `-Y`, so
//! its side is each statistic's own filter, `-z conv,ip,FILTER`, which is
//! Wireshark's "Limit to display filter"). Skips without tshark or the
//! corpus.
//!
//! And in a real terminal (tmux, 140×30): `5` shows the hierarchy, `c` the
//! conversations, Enter on the first filters the Packets tab to it.
//!
//! tshark's conversation tables print bytes with units past 9999
//! (`518 kB`, whole kilobytes): there the model's bytes must print the
//! same; the endpoint tables print every byte, and the two count the same
//! packets, so exact endpoint bytes check the conversations' too.

mod common;
mod tui_support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use wirepeek::app::{Effect, Input, Key, Msg, Tab};
use wirepeek::flow::stats::{StatLayer, Tally};
use wirepeek::tui::stats::Job;

/// Where tshark counts differently: (capture, table, the row's start as
/// the difference names it) and why. A listed row that agrees fails the
/// test, so none outlives its cause.
const EXCEPTIONS: &[(&str, &str, &str, &str)] = &[
    (
        "ipv6-routing-header.pcap",
        "endpoints,udp",
        "",
        "a type 0 routing header: tshark's UDP tap takes the final address \
         (the routing header's, segments left counted) as the destination; \
         wirepeek's flow key (decode's tuple) keeps the IPv6 header's",
    ),
    (
        "ipv6-routing-header.pcap",
        "conv,udp",
        "",
        "the same: tshark's UDP conversations end at the final address",
    ),
    (
        "icmp-destunreach-udp.pcap",
        "io,phs",
        "\"eth:ip:icmp:dns\"",
        "tshark's hierarchy leaves out the IP and UDP headers quoted in an \
         ICMP error but counts the quoted DNS message under icmp; the model \
         counts no quoted header",
    ),
];

/// Protocols both count the same way: link, network and transport layers
/// and the UDP applications whose messages fit one datagram. Application
/// protocols over TCP are not compared: tshark names them on the frame
/// that completes a reassembled PDU, with dissectors wirepeek lacks
/// (`data-text-lines`, `image-gif`, `x11`...).
const COMPARED: &[&str] = &[
    "eth", "sll", "null", "vlan", "arp", "ip", "ipv6", "tcp", "udp", "icmp", "icmpv6", "igmp",
    "dns", "mdns", "dhcp", "dhcpv6", "ntp", "ssdp",
];

/// Link layers tshark shows as protocols that wirepeek's frames have no
/// layer for: raw IP (`raw`), and a pcapng packet comment (`pkt_comment`),
/// which tshark puts above the link layer.
const TSHARK_ONLY_ROOTS: &[&str] = &["raw", "pkt_comment"];

const LAYERS: [(StatLayer, &str, &str); 5] = [
    (StatLayer::Ethernet, "eth", "Ethernet"),
    (StatLayer::Ipv4, "ip", "IPv4"),
    (StatLayer::Ipv6, "ipv6", "IPv6"),
    (StatLayer::Tcp, "tcp", "TCP"),
    (StatLayer::Udp, "udp", "UDP"),
];

/// The model's count of `file` through `filter`, as the tab has it.
fn model(file: &Path, filter: Option<&str>) -> Box<Tally> {
    let mut app = common::filtering_app(file);
    if let Some(f) = filter {
        app.view.set_display(f).expect("the filter compiles");
    }
    app.update(Msg::Frames(common::frames(file)));
    app.update(Msg::SourceEnded { warning: None });
    let effect = app.update(Msg::Input(Input::Key(Key::Char('5'))));
    assert_eq!(app.tab, Tab::Statistics);
    let Some(Effect::Stats { job, frames }) = effect else {
        panic!("5 started no count: {effect:?}");
    };
    assert_eq!(frames.len(), app.list.len(), "the count is of the list");
    Job::new(job, frames).run(&mut app);
    assert!(app.stats.running.is_none());
    app.stats.tally.take().expect("the count finished")
}

/// tshark's text for every table at once, split by section title.
fn tshark(file: &Path, filter: Option<&str>) -> BTreeMap<String, Vec<String>> {
    let mut cmd = Command::new("tshark");
    cmd.args(["-n", "-q", "-r"]).arg(file);
    // tshark's taps see every packet whatever `-Y` says; a statistic's
    // own filter (`-z conv,ip,FILTER`) is its "limit to display filter".
    let tail = filter.map(|f| format!(",{f}")).unwrap_or_default();
    cmd.args(["-z", &format!("io,phs{tail}")]);
    for (_, name, _) in LAYERS {
        cmd.args(["-z", &format!("endpoints,{name}{tail}")]);
        cmd.args(["-z", &format!("conv,{name}{tail}")]);
    }
    let out = cmd.output().expect("tshark runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut sections = BTreeMap::new();
    let mut title: Option<String> = None;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.starts_with("====") {
            if let Some(t) = title.take() {
                sections.insert(t, std::mem::take(&mut lines));
            }
            continue;
        }
        if title.is_none() {
            if !line.trim().is_empty() {
                title = Some(line.trim().to_string());
            }
            continue;
        }
        if line.starts_with("Filter:") || line.trim_start().starts_with('|') {
            continue;
        }
        if !line.trim().is_empty() {
            lines.push(line.to_string());
        }
    }
    sections
}

fn num(s: &str) -> u64 {
    s.parse().unwrap_or_else(|_| panic!("tshark number {s:?}"))
}

/// tshark's hierarchy as `path → (frames, bytes)`, its tshark-only roots
/// left out and only paths of compared protocols kept.
fn phs(lines: &[String]) -> BTreeMap<String, (u64, u64)> {
    let mut rows = BTreeMap::new();
    let mut path: Vec<String> = Vec::new();
    for line in lines {
        let depth = (line.len() - line.trim_start().len()) / 2;
        let mut words = line.split_whitespace();
        let (Some(name), Some(frames), Some(bytes)) = (words.next(), words.next(), words.next())
        else {
            continue;
        };
        path.truncate(depth);
        path.push(name.to_string());
        let kept: Vec<&str> = path
            .iter()
            .map(|s| s.as_str())
            .filter(|p| !TSHARK_ONLY_ROOTS.contains(p))
            .collect();
        if kept.is_empty() || !kept.iter().all(|p| COMPARED.contains(p)) {
            continue;
        }
        let frames = num(frames.trim_start_matches("frames:"));
        let bytes = num(bytes.trim_start_matches("bytes:"));
        rows.insert(kept.join(":"), (frames, bytes));
    }
    rows
}

/// The model's hierarchy in the same shape.
fn model_phs(t: &Tally) -> BTreeMap<String, (u64, u64)> {
    let mut rows = BTreeMap::new();
    let mut path: Vec<&str> = Vec::new();
    for r in t.hierarchy.rows() {
        path.truncate(r.depth);
        path.push(r.proto.key());
        if path.iter().all(|p| COMPARED.contains(p)) {
            rows.insert(path.join(":"), (r.packets, r.bytes));
        }
    }
    rows
}

/// An endpoint or conversation end as tshark prints it: `addr` or
/// `addr port` (tcp/udp endpoints) or `addr:port` (conversations).
fn end_text(end: &wirepeek::flow::stats::End) -> String {
    match end.port {
        Some(p) => format!("{}:{p}", end.addr),
        None => end.addr.to_string(),
    }
}

/// tshark's endpoints: `end → [packets, bytes, tx packets, tx bytes, rx
/// packets, rx bytes]`.
fn endpoints(lines: &[String], ports: bool) -> BTreeMap<String, Vec<u64>> {
    let mut rows = BTreeMap::new();
    for line in lines {
        let w: Vec<&str> = line.split_whitespace().collect();
        let (end, rest) = if ports {
            (format!("{}:{}", w[0], w[1]), &w[2..])
        } else {
            (w[0].to_string(), &w[1..])
        };
        rows.insert(end, rest.iter().map(|s| num(s)).collect());
    }
    rows
}

fn model_endpoints(t: &Tally, layer: StatLayer) -> BTreeMap<String, Vec<u64>> {
    t.table(layer)
        .endpoints
        .iter()
        .map(|e| {
            let n = e.total();
            (
                end_text(&e.end),
                vec![
                    n.packets,
                    n.bytes,
                    e.tx.packets,
                    e.tx.bytes,
                    e.rx.packets,
                    e.rx.bytes,
                ],
            )
        })
        .collect()
}

/// tshark's size format in its conversation tables (`format_size`, SI):
/// whole bytes below 10000, then whole kB, MB, GB.
fn size(bytes: u64) -> String {
    let mut v = bytes;
    for unit in ["bytes", "kB", "MB", "GB"] {
        if v < 10_000 {
            return format!("{v} {unit}");
        }
        v /= 1000;
    }
    format!("{v} TB")
}

/// tshark's conversations: `(A, B) → "B→A frames, size; A→B …; total …"`.
fn conversations(lines: &[String]) -> BTreeMap<(String, String), String> {
    let mut rows = BTreeMap::new();
    for line in lines {
        let w: Vec<&str> = line.split_whitespace().collect();
        // A <-> B  f s unit  f s unit  f s unit  start duration
        let counts = format!(
            "<- {} {} {}; -> {} {} {}; all {} {} {}",
            w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11]
        );
        rows.insert((w[0].to_string(), w[2].to_string()), counts);
    }
    rows
}

fn model_conversations(
    t: &Tally,
    layer: StatLayer,
    theirs: &BTreeMap<(String, String), String>,
) -> BTreeMap<(String, String), String> {
    let mut rows = BTreeMap::new();
    for c in &t.table(layer).conversations {
        let (a, b) = (end_text(&c.a), end_text(&c.b));
        // Said from tshark's A when it has the pair the other way round.
        let (a, b, ab, ba) = if a != b && theirs.contains_key(&(b.clone(), a.clone())) {
            (b, a, c.b_to_a, c.a_to_b)
        } else {
            (a, b, c.a_to_b, c.b_to_a)
        };
        let all = c.total();
        let counts = format!(
            "<- {} {}; -> {} {}; all {} {}",
            ba.packets,
            size(ba.bytes),
            ab.packets,
            size(ab.bytes),
            all.packets,
            size(all.bytes)
        );
        rows.insert((a, b), counts);
    }
    rows
}

/// Every row where the two differ, as `table row: model ≠ tshark`.
fn diff<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
    table: &str,
    ours: &BTreeMap<K, V>,
    theirs: &BTreeMap<K, V>,
    out: &mut Vec<(String, String)>,
) {
    for (k, v) in theirs {
        if ours.get(k) != Some(v) {
            out.push((
                table.into(),
                format!("{k:?}: model {:?} ≠ tshark {v:?}", ours.get(k)),
            ));
        }
    }
    for (k, v) in ours {
        if !theirs.contains_key(k) {
            out.push((
                table.into(),
                format!("{k:?}: model {v:?}, tshark has no row"),
            ));
        }
    }
}

/// Compare one capture through one filter; returns the rows compared.
fn compare(dir: &Path, name: &str, filter: Option<&str>, bad: &mut Vec<String>) -> usize {
    let file = dir.join(name);
    let ours = model(&file, filter);
    let theirs = tshark(&file, filter);
    let mut found = Vec::new();
    let section = |title: &str| {
        theirs
            .get(title)
            .unwrap_or_else(|| panic!("tshark printed no {title:?} for {name}: {theirs:?}"))
    };
    let phs_theirs = phs(section("Protocol Hierarchy Statistics"));
    let mut compared = phs_theirs.len();
    diff("io,phs", &model_phs(&ours), &phs_theirs, &mut found);
    for (layer, key, title) in LAYERS {
        let e = endpoints(section(&format!("{title} Endpoints")), layer.has_ports());
        compared += e.len();
        diff(
            &format!("endpoints,{key}"),
            &model_endpoints(&ours, layer),
            &e,
            &mut found,
        );
        let c = conversations(section(&format!("{title} Conversations")));
        compared += c.len();
        let mine = model_conversations(&ours, layer, &c);
        diff(&format!("conv,{key}"), &mine, &c, &mut found);
    }
    let label = match filter {
        Some(f) => format!("{name} -Y {f:?}"),
        None => name.to_string(),
    };
    for (file, table, row, _) in EXCEPTIONS {
        let hit = |(t, r): &(String, String)| t == table && r.starts_with(row);
        if *file == name && filter.is_none() && !found.iter().any(hit) {
            bad.push(format!(
                "{name} {table} {row}: listed as an exception but agrees"
            ));
        }
    }
    for (table, row) in found {
        let listed = EXCEPTIONS
            .iter()
            .any(|(f, t, r, _)| *f == name && *t == table && row.starts_with(r));
        if !listed {
            bad.push(format!("{label} {table} {row}"));
        }
    }
    compared
}

#[test]
fn the_statistics_tab_counts_as_tshark_io_phs_endpoints_and_conv() {
    let Some(dir) = common::corpus_and_tshark() else {
        return;
    };
    let runs: &[(&str, Option<&str>)] = &[
        ("test_dns.pcap", None),
        ("test_dns.pcap", Some("ip.addr == 95.211.92.14")),
        ("sll.pcap", None),
        ("sll.pcap", Some("tcp")),
        ("four_ipv6_http_streams.pcap", None),
        ("four_ipv6_http_streams.pcap", Some("tcp.len > 0")),
        ("test_loopback.pcap", None),
        ("vlan-qinqinq.pcap", None),
        ("ip4_fragments.pcap", None),
        ("many-protocols.pcap", None),
        ("many-protocols.pcap", Some("udp || arp")),
        ("pcapng-example.pcapng", None),
        ("ipv6_ext_headers.pcap", None),
        ("ipv6-routing-header.pcap", None),
        ("icmp-destunreach-udp.pcap", None),
        ("ip6_fragments.pcap", None),
        ("linux_dlt_sll2.pcap", None),
        ("NullLoopback.pcap", None),
    ];
    let mut bad = Vec::new();
    let mut compared = 0;
    for (name, filter) in runs {
        compared += compare(&dir, name, *filter, &mut bad);
    }
    assert!(
        bad.is_empty(),
        "{} rows differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert!(compared > 500, "only {compared} rows compared");
    println!("{compared} rows agree with tshark");
}

#[test]
fn in_tmux_5_shows_the_hierarchy_and_enter_on_a_conversation_filters_the_list() {
    let Some(dir) = common::corpus() else {
        common::skip("corpus ../shared/corpus/captures not found");
        return;
    };
    let file = dir.join("test_dns.pcap");
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let script = format!(
        "TZ=UTC '{bin}' tui '{}'; echo EXIT=$?; sleep 60",
        file.display()
    );
    let Some(tmux) = tui_support::Tmux::start("stats", (140, 30), &["sh", "-c", &script]) else {
        return;
    };
    let keys = |k: &[&str]| {
        let mut args = vec!["send-keys", "-t", "tui"];
        args.extend_from_slice(k);
        tmux.run(&args);
    };
    tmux.wait_for("Packets 10/10")
        .unwrap_or_else(|s| panic!("the list never appeared:\n{s}"));
    keys(&["5"]);
    // tshark -z io,phs: eth 10 frames 817 bytes, then ip, udp, dns.
    let screen = tmux
        .wait_until(|s| s.contains("10 packets") && s.contains("    dns"))
        .unwrap_or_else(|s| panic!("5 did not show the hierarchy:\n{s}"));
    let row = |s: &str, name: &str| {
        s.lines()
            .find(|l| l.trim_start().starts_with(name))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    assert_eq!(
        row(&screen, "eth").as_deref(),
        Some("eth 100.00 10 100.00 817"),
        "{screen}"
    );
    keys(&["c"]);
    // tshark -z conv,ip: the busiest pair first, 2 frames, 155 bytes.
    let screen = tmux
        .wait_for("Address A")
        .unwrap_or_else(|s| panic!("c did not show the conversations:\n{s}"));
    assert_eq!(
        row(&screen, "109.60.128.2").as_deref(),
        Some("109.60.128.2 95.211.92.15 2 155 2 155 0 0 0.001082 0.0111"),
        "{screen}"
    );
    keys(&["Enter"]);
    let screen = tmux
        .wait_for("Packets 2/10")
        .unwrap_or_else(|s| panic!("Enter did not filter the list:\n{s}"));
    assert!(
        screen.contains("ip.addr == 109.60.128.2 && ip.addr == 95.211.92.15"),
        "{screen}"
    );
    // Both packets are the pair's (tshark: frames 2 and 7).
    let numbers: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("109.60.128.2") && l.contains("95.211.92.15"))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.parse::<u64>().is_ok())
        .collect();
    assert_eq!(numbers, ["2", "7"], "{screen}");
}

/// The most memory the process has held, from the kernel.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[test]
#[ignore = "needs a large capture; set WIREPEEK_BENCH_FILE"]
fn bench_counting_a_large_capture_in_slices() {
    use std::time::{Duration, Instant};
    let Ok(path) = std::env::var("WIREPEEK_BENCH_FILE") else {
        common::skip("set WIREPEEK_BENCH_FILE to a capture file");
        return;
    };
    let mut app = common::file_backed_app(&path, None);
    let before = peak_rss_mib();
    let Some(Effect::Stats { job, frames }) = app.update(Msg::Input(Input::Key(Key::Char('5'))))
    else {
        panic!("5 started no count");
    };
    let n = frames.len();
    let mut count = Job::new(job, frames);
    let (started, mut worst, mut slices) = (Instant::now(), Duration::ZERO, 0);
    loop {
        let t = Instant::now();
        let done = count.step(&mut app, Duration::from_millis(10));
        worst = worst.max(t.elapsed());
        slices += 1;
        // A key between slices, as the loop takes them.
        app.update(Msg::Input(Input::Key(Key::Down)));
        if done {
            break;
        }
    }
    let t = app.stats.tally.as_ref().expect("counted");
    println!(
        "counted {n} packets in {:.2} s ({slices} slices, worst {:.1} ms); {} hierarchy rows, {} TCP conversations, {} IPv4 endpoints; peak RSS {before:.0} → {:.0} MiB",
        started.elapsed().as_secs_f64(),
        worst.as_secs_f64() * 1000.0,
        t.hierarchy.rows().len(),
        t.table(StatLayer::Tcp).conversations.len(),
        t.table(StatLayer::Ipv4).endpoints.len(),
        peak_rss_mib()
    );
}
