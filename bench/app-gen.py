#!/usr/bin/env python3
"""Write a pcap heavy in DNS and TLS, for bench/app.sh.

    bench/app-gen.py OUT.pcap [PACKETS=500000] [SEED=7]

Classic pcap, microsecond timestamps, Ethernet, IPv4. The traffic repeats
one "page visit" unit of 15 packets, varied by a seeded PRNG:
  - two DNS exchanges over UDP to 10.0.0.53:53 (4 packets): a query with an
    EDNS OPT record (type A, AAAA or HTTPS for one of 40 names), and its
    response with name compression (answers point back at the question's
    name with 0xc00c; a CNAME chain answer points into the CNAME's target),
    A/AAAA answers, an NS authority record and the OPT record;
  - one TLS 1.3 connection to port 443 (11 packets): SYN, SYN/ACK, ACK,
    ClientHello (SNI, ALPN h2/http/1.1, supported_versions, supported_groups,
    key_share x25519, signature_algorithms, ec_point_formats,
    renegotiation_info), ServerHello (supported_versions, key_share) with a
    ChangeCipherSpec and an encrypted record, the client's ACK, application
    data both ways, FIN/ACK from each side and the last ACK.
So 4 of 15 packets are DNS, 4 carry TLS records and 7 are TCP control
segments (handshake, ACKs, FINs): in bytes 88% is DNS or TLS. Sequence and
acknowledgment numbers follow the bytes sent, every record fits in its
segment, IPv4, UDP and TCP checksums are right: tshark decodes the frames as
DNS and TLS (check: tshark -r OUT -qz io,phs). The same arguments always give
the same bytes.
"""
import random
import struct
import sys

NAMES = [
    "www.example.com", "api.github.com", "fonts.googleapis.com", "cdn.jsdelivr.net",
    "www.wikipedia.org", "upload.wikimedia.org", "static.xx.fbcdn.net", "www.rust-lang.org",
    "docs.rs", "crates.io", "index.crates.io", "static.crates.io", "news.ycombinator.com",
    "www.bbc.co.uk", "ichef.bbci.co.uk", "www.nytimes.com", "mail.example.org",
    "login.microsoftonline.com", "outlook.office365.com", "www.apple.com", "time.apple.com",
    "play.googleapis.com", "www.google.com", "ssl.gstatic.com", "accounts.google.com",
    "www.youtube.com", "i.ytimg.com", "yt3.ggpht.com", "www.reddit.com", "i.redd.it",
    "www.debian.org", "deb.debian.org", "security.debian.org", "www.kernel.org",
    "lore.kernel.org", "git.kernel.org", "www.mozilla.org", "addons.mozilla.org",
    "www.cloudflare.com", "one.one.one.one",
]


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src: bytes, dst: bytes, proto: int, payload: bytes, ident: int) -> bytes:
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF,
                      0x4000, 64, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def l4(src: bytes, dst: bytes, proto: int, seg: bytes, at: int) -> bytes:
    pseudo = src + dst + struct.pack("!BBH", 0, proto, len(seg))
    c = csum(pseudo + seg)
    if proto == 17 and c == 0:
        c = 0xFFFF
    return seg[:at] + struct.pack("!H", c) + seg[at + 2:]


def udp(src, dst, sport, dport, data):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    return l4(src, dst, 17, seg, 6)


def tcp(src, dst, sport, dport, seq, ack, flags, data=b""):
    # Data offset 5, window 64240, no options.
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      0x50, flags, 64240, 0, 0) + data
    return l4(src, dst, 6, seg, 16)


def qname(name: str) -> bytes:
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


OPT = b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)


def dns_query(ident: int, name: str, qtype: int) -> bytes:
    hdr = struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 1)
    return hdr + qname(name) + struct.pack("!HH", qtype, 1) + OPT


def dns_response(ident: int, name: str, qtype: int, rng: random.Random) -> bytes:
    question = qname(name) + struct.pack("!HH", qtype, 1)
    answers = []
    # A CNAME first half the time: the answer records then own its target,
    # pointed at by a compression pointer into the CNAME's data.
    owner = b"\xc0\x0c"
    if rng.random() < 0.5:
        target = qname("edge-%d.cdn.example.net" % rng.randrange(64))
        cname_rdata_at = 12 + len(question) + 2 + 10
        answers.append(owner + struct.pack("!HHIH", 5, 1, 300, len(target)) + target)
        owner = struct.pack("!H", 0xC000 | cname_rdata_at)
    if qtype == 1:
        for _ in range(rng.randrange(1, 4)):
            answers.append(owner + struct.pack("!HHIH", 1, 1, 60, 4) + bytes(
                [93, 184, rng.randrange(256), rng.randrange(1, 255)]))
    elif qtype == 28:
        for _ in range(rng.randrange(1, 3)):
            addr = bytes([0x26, 0x06, 0x28, 0x00]) + bytes(rng.randrange(256) for _ in range(12))
            answers.append(owner + struct.pack("!HHIH", 28, 1, 60, 16) + addr)
    else:
        # HTTPS (RFC 9460): priority 1, target ".", alpn h2,h3.
        alpn = b"\x02h2\x02h3"
        rdata = struct.pack("!H", 1) + b"\0" + struct.pack("!HH", 1, len(alpn)) + alpn
        answers.append(owner + struct.pack("!HHIH", 65, 1, 300, len(rdata)) + rdata)
    # Authority: the zone's name server, its name compressed against the
    # question (the zone is the question's last two labels).
    labels = name.split(".")
    zone_at = 12 + sum(len(x) + 1 for x in labels[:-2])
    ns = b"\x03ns1" + struct.pack("!H", 0xC000 | zone_at)
    authority = struct.pack("!H", 0xC000 | zone_at) + struct.pack("!HHIH", 2, 1, 3600, len(ns)) + ns
    hdr = struct.pack("!HHHHHH", ident, 0x8180, 1, len(answers), 1, 1)
    return hdr + question + b"".join(answers) + authority + OPT


def ext(kind: int, data: bytes) -> bytes:
    return struct.pack("!HH", kind, len(data)) + data


def vec8(data: bytes) -> bytes:
    return bytes([len(data)]) + data


def vec16(data: bytes) -> bytes:
    return struct.pack("!H", len(data)) + data


def handshake(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + struct.pack("!I", len(body))[1:] + body


def record(kind: int, body: bytes, version: int = 0x0303) -> bytes:
    return struct.pack("!BHH", kind, version, len(body)) + body


def client_hello(name: str, rng: random.Random) -> bytes:
    sni = name.encode()
    exts = b"".join([
        ext(0, vec16(b"\0" + vec16(sni))),
        ext(23, b""),
        ext(65281, b"\0"),
        ext(10, vec16(struct.pack("!HHHH", 0x001D, 0x0017, 0x0018, 0x0019))),
        ext(11, vec8(b"\0")),
        ext(16, vec16(vec8(b"h2") + vec8(b"http/1.1"))),
        ext(13, vec16(struct.pack("!8H", 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501,
                                  0x0806, 0x0601))),
        ext(51, vec16(struct.pack("!HH", 0x001D, 32) + rng.randbytes(32))),
        ext(45, vec8(b"\x01")),
        ext(43, vec8(struct.pack("!HH", 0x0304, 0x0303))),
    ])
    suites = struct.pack("!8H", 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9)
    body = (struct.pack("!H", 0x0303) + rng.randbytes(32) + vec8(rng.randbytes(32))
            + vec16(suites) + vec8(b"\0") + vec16(exts))
    return record(22, handshake(1, body), 0x0301)


def server_hello(session_id: bytes, rng: random.Random) -> bytes:
    exts = ext(43, struct.pack("!H", 0x0304)) + ext(51, struct.pack("!HH", 0x001D, 32) + rng.randbytes(32))
    body = (struct.pack("!H", 0x0303) + rng.randbytes(32) + vec8(session_id)
            + struct.pack("!H", 0x1301) + b"\0" + vec16(exts))
    return (record(22, handshake(2, body)) + record(20, b"\x01")
            + record(23, rng.randbytes(rng.randrange(800, 1300))))


class Writer:
    def __init__(self, path: str, limit: int):
        self.out = open(path, "wb")
        self.out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.limit, self.count, self.t = limit, 0, 1_700_000_000_000_000

    def frame(self, smac: bytes, dmac: bytes, ip: bytes):
        if self.count >= self.limit:
            return
        data = dmac + smac + b"\x08\x00" + ip
        if len(data) < 60:
            data += bytes(60 - len(data))
        self.t += 137
        self.out.write(struct.pack("<IIII", self.t // 1_000_000, self.t % 1_000_000, len(data), len(data)))
        self.out.write(data)
        self.count += 1


def main():
    path = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 500_000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    w = Writer(path, total)
    cmac, smac = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
    resolver = bytes([10, 0, 0, 53])
    ident = 0
    unit = 0
    while w.count < total:
        client = bytes([10, 1, (unit >> 8) & 0xFF, 1 + unit % 250])
        server = bytes([93, 184, rng.randrange(256), rng.randrange(1, 255)])
        name = rng.choice(NAMES)
        for qtype in (1, rng.choice((28, 65))):
            qid = rng.randrange(65536)
            sport = 32768 + rng.randrange(28000)
            ident += 1
            w.frame(cmac, smac, ipv4(client, resolver, 17, udp(client, resolver, sport, 53, dns_query(qid, name, qtype)), ident))
            w.frame(smac, cmac, ipv4(resolver, client, 17, udp(resolver, client, 53, sport, dns_response(qid, name, qtype, rng)), ident))
        sport = 32768 + (unit * 7) % 28000
        cseq, sseq = rng.randrange(1 << 32), rng.randrange(1 << 32)
        ch = client_hello(name, rng)
        sh = server_hello(ch[44:76], rng)
        creq = record(23, rng.randbytes(rng.randrange(60, 400)))
        sresp = record(23, rng.randbytes(rng.randrange(200, 1400)))

        def c2s(flags, data=b""):
            nonlocal cseq, ident
            ident += 1
            w.frame(cmac, smac, ipv4(client, server, 6, tcp(client, server, sport, 443, cseq, sseq, flags, data), ident))
            cseq += len(data) + (1 if flags & 0x03 else 0)

        def s2c(flags, data=b""):
            nonlocal sseq, ident
            ident += 1
            w.frame(smac, cmac, ipv4(server, client, 6, tcp(server, client, 443, sport, sseq, cseq, flags, data), ident))
            sseq += len(data) + (1 if flags & 0x03 else 0)

        SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
        # The SYN carries no ACK: send it with ack 0.
        ident += 1
        w.frame(cmac, smac, ipv4(client, server, 6, tcp(client, server, sport, 443, cseq, 0, SYN), ident))
        cseq += 1
        s2c(SYN | ACK)
        c2s(ACK)
        c2s(PSH | ACK, ch)
        s2c(PSH | ACK, sh)
        c2s(ACK)
        c2s(PSH | ACK, creq)
        s2c(PSH | ACK, sresp)
        c2s(FIN | ACK)
        s2c(FIN | ACK)
        c2s(ACK)
        unit += 1
    w.out.close()
    print(f"{path}: {w.count} packets, {unit} units", file=sys.stderr)


if __name__ == "__main__":
    main()
