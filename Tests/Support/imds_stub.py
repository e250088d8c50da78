#!/usr/bin/env python3
"""A loopback stand-in for the EC2 instance metadata service, IMDSv2 only (tokens required).

imds_stub.py PORT CREDENTIALS_JSON_FILE ROLE — serves the role's credentials from the file.
"""
import http.server
import sys

PORT, CREDENTIALS, ROLE = int(sys.argv[1]), sys.argv[2], sys.argv[3]
TOKEN = "imds-test-token"


class Handler(http.server.BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(200, TOKEN)
        return self.reply(400, "bad token request")

    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
            return self.reply(401, "IMDSv2 token required")
        if self.path == "/latest/meta-data/iam/security-credentials/":
            return self.reply(200, ROLE)
        if self.path == "/latest/meta-data/iam/security-credentials/" + ROLE:
            with open(CREDENTIALS) as source:
                return self.reply(200, source.read())
        return self.reply(404, "not found")

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
