#!/usr/bin/env python3
"""Write a pcap of N concurrent TCP conversations, each missing a segment.

    bench/gaps.py OUT.pcap [N=1000000] [PAYLOAD=32]

Every conversation (client 10.a.b.c:40000 + i % 20000 to 192.168.0.1:80,
already established: the capture starts mid-stream) sends segment 1, loses
segment 2 and sends segment 3, PAYLOAD bytes each; only after all N
conversations did so does the server acknowledge all three segments of
each. So at the peak every conversation holds one segment after a hole,
and each then reports PAYLOAD bytes missing: 2 * PAYLOAD * N delivered,
PAYLOAD * N missing. 3 * N packets; deterministic (the same bytes every
run). IPv4 header checksums are right; TCP checksums are left 0 (neither
wirepeek nor tshark checks them by default).
"""
import struct
import sys


def ip_checksum(header: bytes) -> int:
    total = sum(struct.unpack("!10H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def main() -> None:
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    payload = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    if not 1 <= n <= 16_000_000 or not 1 <= payload <= 1400:
        sys.exit("gaps.py: N must be 1..16000000 and PAYLOAD 1..1400")
    eth_c2s = bytes.fromhex("0200000000020200000000010800")
    eth_s2c = bytes.fromhex("0200000000010200000000020800")
    server = bytes([192, 168, 0, 1])
    data = bytes((i * 7) & 0xFF for i in range(payload))

    def frame(eth, src, dst, sport, dport, seq, ack, flags, body, ts):
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
        total = 20 + len(tcp) + len(body)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
        pkt = eth + ip + tcp + body
        sec, usec = divmod(ts, 1_000_000)
        return struct.pack("<IIII", sec, usec, len(pkt), len(pkt)) + pkt

    def client(i):
        return bytes([10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF]), 40000 + i % 20000

    with open(out, "wb", buffering=1 << 22) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        ts = 1_700_000_000_000_000
        isn, sisn = 1000, 5000
        for i in range(n):
            addr, port = client(i)
            for k in (0, 2):  # segment 2 (k = 1) is the one lost
                seq = isn + k * payload
                f.write(frame(eth_c2s, addr, server, port, 80, seq, sisn, 0x18, data, ts))
                ts += 1
        for i in range(n):
            addr, port = client(i)
            ack = isn + 3 * payload
            f.write(frame(eth_s2c, server, addr, 80, port, sisn, ack, 0x10, b"", ts))
            ts += 1


if __name__ == "__main__":
    main()
