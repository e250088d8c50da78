#!/usr/bin/env python3
"""A loopback HTTP peer that resets connections, for transport-error retry tests.

resetting_http.py PORT RESETS BODY_FILE — answers the first RESETS requests with a TCP reset (RST, as a
crashed or overloaded endpoint does), and every later one with HTTP 200 and the XML in BODY_FILE.
Connections that send no request (readiness probes) are closed and not counted.
"""
import socket
import struct
import sys

PORT, RESETS, BODY_FILE = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", PORT))
server.listen(16)
remaining = RESETS
while True:
    conn, _ = server.accept()
    try:
        if read_request(conn) is None:
            continue
        if remaining > 0:
            remaining -= 1
            # Linger 0: close() sends RST instead of FIN, so the client sees "connection reset by peer".
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            continue
        with open(BODY_FILE, "rb") as source:
            body = source.read()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\n\r\n" + body)
    except OSError:
        pass
    finally:
        conn.close()
