#!/bin/sh
# Record the teaching captures (arp-request-reply.pcap, icmp-echo.pcap,
# tcp-snaplen-60.pcap, icmp-port-unreachable.pcap, ip-fragments.pcap) on a veth pair between two network namespaces made for
# the purpose, so nothing else on the host appears in them. Run as root from
# the repository root after `cargo build`. Addresses are 10.213.9.0/24, which
# exists only between the two namespaces.
# With arguments, only the named captures are made (e.g. `icmp-echo`).
set -eu
WANT=" ${*:-arp-request-reply icmp-echo tcp-snaplen-60 icmp-port-unreachable ip-fragments} "
want() { case "$WANT" in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
WP=${WP:-$PWD/target/debug/wirepeek}
A=wp-teach-a B=wp-teach-b
cleanup() { ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add $A
ip netns add $B
for ns in $A $B; do
  ip netns exec $ns sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n $ns link set lo up
done
ip -n $A link add veth-a type veth peer name veth-b netns $B
ip -n $A addr add 10.213.9.1/24 dev veth-a
ip -n $B addr add 10.213.9.2/24 dev veth-b
ip -n $A link set veth-a up mtu 1500
ip -n $B link set veth-b up mtu 1500
sleep 1

# capture NS IFACE COUNT FILE [SNAPLEN]: start a capture in the background.
capture() {
  ip netns exec "$1" "$WP" capture -i "$2" -c "$3" -s "${5:-0}" -w "$4" &
  CAP=$!
  sleep 0.5
}

send_udp() {
  ip netns exec $A python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"hi\n", ("10.213.9.2", 9))'
}

# 1. ARP: the first datagram from A to B needs B's MAC address.
if want arp-request-reply; then
capture $A veth-a 2 captures/arp-request-reply.pcap
send_udp
wait $CAP
fi

# 2. ICMP echo: a raw socket in A sends one echo request; B's kernel answers.
if want icmp-echo; then
capture $A veth-a 2 captures/icmp-echo.pcap
ip netns exec $A python3 - <<'PY'
import os, socket, struct
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
data = b"wirepeek ping\n"
hdr = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1)
pkt = struct.pack("!BBHHH", 8, 0, csum(hdr + data), 0x1234, 1) + data
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(2)
s.sendto(pkt, ("10.213.9.2", 0))
s.recv(1500)
PY
wait $CAP
fi

# 3. Snap length 60: a TCP echo exchange on A's own loopback, each frame cut
#    to 60 bytes, so headers survive and most payloads do not.
if want tcp-snaplen-60; then
ip netns exec $A "$WP" echo server --listen 127.0.0.1:7007 >/dev/null 2>&1 &
SRV=$!
sleep 0.5
capture $A lo 6 captures/tcp-snaplen-60.pcap 60
ip netns exec $A "$WP" echo client -q -m "hello there, this line is longer than the snap length" 127.0.0.1 7007 >/dev/null
wait $CAP
kill $SRV
fi

# 4. ICMP port unreachable: a UDP datagram to port 9 on B, where nothing
#    listens; B's kernel answers with an ICMP error quoting the datagram.
#    One datagram first, uncaptured, so ARP is already resolved.
if want icmp-port-unreachable; then
send_udp
sleep 0.3
capture $A veth-a 2 captures/icmp-port-unreachable.pcap
send_udp
wait $CAP
fi

# 5. IP fragments: one 4,000-byte UDP datagram to port 9 on B, larger than
#    the veth's 1,500-byte MTU, so A's kernel sends it as three fragments
#    (offsets 0, 1480 and 2960 bytes). Path MTU discovery is off for the
#    socket (IP_PMTUDISC_DONT) so the kernel fragments rather than refusing.
#    ARP is resolved first; B answers with an ICMP port unreachable, which
#    is not captured (-c 3).
if want ip-fragments; then
send_udp
sleep 0.3
capture $A veth-a 3 captures/ip-fragments.pcap
ip netns exec $A python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_MTU_DISCOVER = IP_PMTUDISC_DONT
s.sendto(bytes(range(256)) * 15 + b"wirepeek fragments\n".ljust(160, b"."), ("10.213.9.2", 9))'
wait $CAP
fi
