#!/usr/bin/env python3
"""A loopback HTTP/1.1 peer for eicsetup's own HTTP client: keep-alive, chunked answers, idle connections
the server closes, and a forwarding proxy (absolute-form requests and CONNECT tunnels).

http_peer.py PORT [TLS_PORT] — GET /chunked answers "hello, chunked" in three chunks; /length answers
"hello" with Content-Length; /close answers "bye" and closes the connection after it although it
advertised keep-alive; /connections answers how many TCP connections the server accepted so far;
/proxied answers how many requests arrived through the proxy, /requests how many requests arrived. Any request whose target is an absolute
http:// URL, and any CONNECT, is forwarded (to 127.0.0.1 only) and counted as proxied.
"""
import socket
import sys
import threading

lock = threading.Lock()
counts = {"connections": 0, "proxied": 0, "requests": 0}


def answer(conn, status, body, extra=b""):
    conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body)


def read_head(reader):
    line = reader.readline()
    if not line:
        return None, None
    headers = []
    while True:
        header = reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        headers.append(header)
    return line, headers


def pipe(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        try:
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def serve(conn):
    with lock:
        counts["connections"] += 1
    reader = conn.makefile("rb")
    try:
        while True:
            line, headers = read_head(reader)
            if line is None:
                return
            method, target, _ = line.decode().split(" ", 2)
            with lock:
                counts["requests"] += 1
            length = next((int(h.split(b":")[1]) for h in headers if h.lower().startswith(b"content-length:")), 0)
            reader.read(length)
            if method == "CONNECT" or target.startswith("http://"):
                with lock:
                    counts["proxied"] += 1
                hostport = target if method == "CONNECT" else target[len("http://"):].split("/", 1)[0]
                host, port = hostport.rsplit(":", 1)
                if host != "127.0.0.1":
                    answer(conn, b"403 Forbidden", b"loopback only")
                    return
                upstream = socket.create_connection((host, int(port)))
                if method == "CONNECT":
                    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                else:
                    path = "/" + target[len("http://"):].split("/", 1)[1]
                    upstream.sendall(f"{method} {path} HTTP/1.1\r\n".encode() + b"".join(headers) + b"Connection: close\r\n\r\n")
                threading.Thread(target=pipe, args=(upstream, conn), daemon=True).start()
                pipe(conn, upstream)
                return
            if target == "/chunked":
                conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             b"5\r\nhello\r\n2;ext=1\r\n, \r\n7\r\nchunked\r\n0\r\nTrailer: x\r\n\r\n")
            elif target == "/length":
                answer(conn, b"200 OK", b"hello")
            elif target == "/close":
                answer(conn, b"200 OK", b"bye")
                return
            elif target in ("/connections", "/proxied", "/requests"):
                with lock:
                    answer(conn, b"200 OK", str(counts[target[1:]]).encode())
            else:
                answer(conn, b"404 Not Found", b"")
    finally:
        conn.close()


def main():
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", int(sys.argv[1])))
    server.listen(64)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
