#!/bin/sh
# Record captures/http10-body-to-fin.pcap: an HTTP/1.0 response with neither
# Content-Length nor chunked encoding, whose body (three writes, so three
# segments) ends when the server closes the connection. Python's
# http.server with protocol_version HTTP/1.0 answers curl --http1.0 on the
# loopback of a network namespace made for the purpose, so nothing else on
# the host appears; tcpdump records it. Run as root from the repository root.
set -eu
NS=wp-http10
OUT=${1:-captures/http10-body-to-fin.pcap}
cleanup() { ip netns del $NS 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add $NS
ip -n $NS link set lo up
ip netns exec $NS tcpdump -i lo -U -s 0 -w "$OUT" 'tcp port 8080' 2>/dev/null &
DUMP=$!
ip netns exec $NS python3 - <<'PY' &
import http.server, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        for part in (b"first part of the body\n", b"second part\n", b"third and last part\n"):
            self.wfile.write(part)
            self.wfile.flush()
            time.sleep(0.1)
    def log_message(self, *args):
        pass
s = http.server.HTTPServer(("127.0.0.1", 8080), H)
s.handle_request()
PY
SERVER=$!
sleep 1
ip netns exec $NS curl -s --http1.0 -o /dev/null http://127.0.0.1:8080/hello
wait $SERVER
sleep 1
kill $DUMP
wait $DUMP || true
