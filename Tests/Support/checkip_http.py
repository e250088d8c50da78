#!/usr/bin/env python3
"""A loopback HTTP peer answering like a misbehaving checkip service, for the resource fetcher's tests.

checkip_http.py PORT — GET /crlf answers "203.0.113.7\r\n"; /big streams 50 MB of digits; /drip sends
a 40-byte body one byte a second (never idle long enough for an idle timeout); /hang reads the
request and never answers.
"""
import http.server
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, length):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def do_GET(self):
        try:
            if self.path == "/crlf":
                self.send(13)
                self.wfile.write(b"203.0.113.7\r\n")
            elif self.path == "/big":
                chunk = b"1" * 65536
                self.send(50 * 1024 * 1024)
                for _ in range(50 * 16):
                    self.wfile.write(chunk)
            elif self.path == "/drip":
                self.send(40)
                for _ in range(40):
                    self.wfile.write(b"1")
                    self.wfile.flush()
                    time.sleep(1)
            elif self.path == "/hang":
                time.sleep(3600)
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
server.daemon_threads = True
server.serve_forever()
