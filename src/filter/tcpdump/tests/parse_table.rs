//! Expression → printed tree, and expression → error column and message.
//! The trees are written from libpcap's meaning (gencode.c), not copied
//! from our output: `and`/`or` group left to right at one precedence, a
//! bare value inherits the qualifiers before it, `vlan` shifts what follows.

use super::super::TcpdumpFilter;
use super::tree;

const PARSES: &[(&str, &str)] = &[
    ("tcp", "(proto ip,ip6 6)"),
    ("icmp", "(proto ip 1)"),
    ("ip", "(ethertype 0x0800)"),
    ("ether proto 0x86dd", "(ethertype 0x86dd)"),
    ("ip proto \\udp", "(proto ip 17)"),
    ("tcp port 80", "(port src-or-dst 80-80 tcp ip,ip6)"),
    (
        "port 80 or 443",
        "(or (port src-or-dst 80-80 tcp,udp,sctp ip,ip6) (port src-or-dst 443-443 tcp,udp,sctp ip,ip6))",
    ),
    (
        "udp port 53 or 67",
        "(or (port src-or-dst 53-53 udp ip,ip6) (port src-or-dst 67-67 udp ip,ip6))",
    ),
    // One precedence, left to right: (tcp and udp) or icmp.
    (
        "tcp and udp or icmp",
        "(or (and (proto ip,ip6 6) (proto ip,ip6 17)) (proto ip 1))",
    ),
    (
        "tcp or udp and icmp",
        "(and (or (proto ip,ip6 6) (proto ip,ip6 17)) (proto ip 1))",
    ),
    (
        "not tcp and udp",
        "(and (not (proto ip,ip6 6)) (proto ip,ip6 17))",
    ),
    (
        "(tcp or udp) and not port 53",
        "(and (or (proto ip,ip6 6) (proto ip,ip6 17)) (not (port src-or-dst 53-53 tcp,udp,sctp ip,ip6)))",
    ),
    (
        "host 10.0.0.1",
        "(host4 src-or-dst 10.0.0.1/255.255.255.255 ip,arp,rarp)",
    ),
    (
        "src net 10.0.0.0/8",
        "(host4 src 10.0.0.0/255.0.0.0 ip,arp,rarp)",
    ),
    (
        "src and dst net 10.0.0.0/8",
        "(host4 src-and-dst 10.0.0.0/255.0.0.0 ip,arp,rarp)",
    ),
    (
        "net 192.150",
        "(host4 src-or-dst 192.150.0.0/255.255.0.0 ip,arp,rarp)",
    ),
    (
        "arp host 192.168.123.1",
        "(host4 src-or-dst 192.168.123.1/255.255.255.255 arp)",
    ),
    ("ip6 net fe80::/10", "(host6 src-or-dst fe80::/ffc0::)"),
    (
        "host 2001:618:1:8000::5",
        "(host6 src-or-dst 2001:618:1:8000::5/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff)",
    ),
    (
        "ether src 00:1b:d4:1b:a4:d8",
        "(ether-host src 00:1b:d4:1b:a4:d8)",
    ),
    ("ether broadcast", "(ether-broadcast)"),
    ("vlan 118 and ip", "(and (vlan 118) (ethertype 0x0800 @+4))"),
    ("vlan and vlan", "(and (vlan) (vlan @+4))"),
    ("less 60", "(len <= 60)"),
    ("greater 1000", "(len >= 1000)"),
    (
        "tcp[tcpflags] & tcp-syn != 0",
        "(!= (& transport/6[13:1] 2) 0)",
    ),
    ("ip[6:2] & 0x1fff != 0", "(!= (& net/0x0800[6:2] 8191) 0)"),
    // `tcp[2:2]`: the colon is no part of a word here.
    ("tcp[2:2] = 80", "(== transport/6[2:2] 80)"),
    ("icmp6[icmp6type] == icmp6-echo", "(== ip6next/58[0:1] 128)"),
    // * before +, + before <<, << before &, & before |.
    ("len - 14 + 2 * 3 = 100", "(== (+ (- len 14) (* 2 3)) 100)"),
    (
        "ip[0] & 0xf0 >> 4 | 1 = 4",
        "(== (| (& net/0x0800[0:1] (>> 240 4)) 1) 4)",
    ),
    ("(ip[0]) & 0xf = 5", "(== (& net/0x0800[0:1] 15) 5)"),
    ("ip[-1] = 0", "(== net/0x0800[(neg 1):1] 0)"),
    ("ip[0] = -1", "(== net/0x0800[0:1] (neg 1))"),
    (
        "vlan and ip[0] = 69",
        "(and (vlan) (== net/0x0800@+4[0:1] 69 @+4))",
    ),
    // A divisor libpcap accepts: its code starts by loading 1, and x + 0
    // is no constant.
    (
        "ip[0] / (ip[1] + 0) = 0",
        "(== (/ net/0x0800[0:1] (+ net/0x0800[1:1] 0)) 0)",
    ),
    ("ip[0] << 31 = 0", "(== (<< net/0x0800[0:1] 31) 0)"),
];

#[test]
fn expressions_parse_to_the_trees_libpcap_means() {
    let mut wrong = Vec::new();
    for (expr, want) in PARSES {
        let got = tree(expr);
        if got != *want {
            wrong.push(format!("`{expr}`\n   got  {got}\n   want {want}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// (expression, column of the caret, start of the message).
fn refusals() -> Vec<(String, usize, &'static str)> {
    let deep = |open: &str, n: usize, close: &str, body: &str| {
        format!("{}{body}{}", open.repeat(n), close.repeat(n))
    };
    let too_deep = "filter nests too deeply (more than 256 levels)";
    vec![
        ("".into(), 0, "empty filter expression"),
        ("tcp @".into(), 4, "unexpected character '@'"),
        (
            "tcp and prot 6".into(),
            8,
            "unexpected 'prot' — did you mean 'proto'?",
        ),
        ("ip and (".into(), 8, "expression ends too early"),
        ("port 99999".into(), 5, "illegal port number '99999'"),
        (
            "vlan 5000".into(),
            5,
            "VLAN tag 5000 greater than maximum 4095",
        ),
        ("tcp[0:3] = 1".into(), 6, "data size must be 1, 2, or 4"),
        ("net 10.0.0.1/8".into(), 4, "non-network bits set"),
        // tcpdump 4.99 / libpcap 1.10: "division by zero" and friends.
        ("ip[0] / 0 = 0".into(), 6, "division by zero"),
        ("ip[0] % 0 = 0".into(), 6, "modulus by zero"),
        ("ip[0] << 64 = 0".into(), 6, "shift by more than 31 bits"),
        ("ip[0] >> 32 = 0".into(), 6, "shift by more than 31 bits"),
        ("ip[0] / -0 = 0".into(), 6, "division by zero"),
        // The divisor's code starts by loading its index, 0.
        ("ip[0] / ip[0] = 0".into(), 6, "division by zero"),
        ("ip[0] / (0 | ip[1]) = 0".into(), 6, "division by zero"),
        // Folded by the optimizer.
        ("ip[0] / (2 - 2) = 0".into(), 6, "division by zero"),
        ("ip[0] / (ip[1] * 0) = 0".into(), 6, "division by zero"),
        ("ip[0] % (len & 0) = 0".into(), 6, "modulus by zero"),
        ("ip[0] << -1 = 0".into(), 6, "shift by more than 31 bits"),
        ("ip[0] / (ip[1] * 0 * 5) = 0".into(), 6, "division by zero"),
        // A syntax error later in the expression is reported first.
        (
            "ip[0] / (2 - 2) = 0 and foo".into(),
            24,
            "unknown host 'foo'",
        ),
        // Nesting: the caret is under the token that opens level 257.
        (deep("(", 257, ")", "tcp"), 256, too_deep),
        (deep("not ", 257, "", "tcp"), 1024, too_deep),
        (deep("!", 300, "", "tcp"), 256, too_deep),
        (deep("-", 300, "", "1 = 0"), 256, too_deep),
        (
            format!("ip[0] = {}", deep("(", 257, ")", "0")),
            8 + 256,
            too_deep,
        ),
        // Lexed in linear time: the word stops at its first colon.
        (format!("{}1", "1:".repeat(50_000)), 0, "unknown host '1'"),
        (":".repeat(100_000), 0, "unexpected ':'"),
    ]
}

#[test]
fn bad_expressions_are_refused_at_the_right_column() {
    let mut wrong = Vec::new();
    for (expr, col, msg) in refusals() {
        let shown: String = expr.chars().take(40).collect();
        match TcpdumpFilter::parse(&expr) {
            Ok(f) => wrong.push(format!("`{shown}` parses as {}", f.root)),
            Err(e) if e.column != col || !e.message.starts_with(msg) => wrong.push(format!(
                "`{shown}`: column {} `{}`, want column {col} `{msg}`",
                e.column, e.message
            )),
            Err(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn nesting_up_to_the_limit_parses() {
    let parens = format!("{}tcp{}", "(".repeat(256), ")".repeat(256));
    assert_eq!(tree(&parens), "(proto ip,ip6 6)");
    let nots = format!("{}tcp", "not ".repeat(256));
    assert!(tree(&nots).starts_with("(not (not"));
    let arith = format!("ip[0] = {}0{}", "(".repeat(256), ")".repeat(256));
    assert_eq!(tree(&arith), "(== net/0x0800[0:1] 0)");
}

#[test]
fn a_long_run_of_or_is_one_flat_chain() {
    let expr = vec!["tcp"; 20_000].join(" or ");
    let f = TcpdumpFilter::parse(&expr).expect("parses");
    match &f.root {
        super::super::ast::Node::Chain(_, rest) => assert_eq!(rest.len(), 19_999),
        other => panic!("not a chain: {other}"),
    }
}
