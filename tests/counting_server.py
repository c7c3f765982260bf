"""A loopback HTTP server that counts the requests it gets, to prove that none were made.

It answers every GET and POST with a valid document (a JSON-LD context, or SPARQL JSON
results), so that if event-kb ever fetched from it, the fetch would succeed and show up.
"""

from __future__ import annotations

import http.server
import threading
import urllib.request


class CountingServer:
    """Serve ``body`` as ``content_type`` on 127.0.0.1; ``requests`` lists what came in."""

    def __init__(self, body: bytes, content_type: str) -> None:
        self.requests: list[str] = []
        seen = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.reply()

            def do_POST(self) -> None:
                self.reply()

            def reply(self) -> None:
                seen.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        # the counter does count: one real request is seen, then forgotten
        with urllib.request.urlopen(self.url + "/probe", timeout=5) as resp:
            assert resp.status == 200
        assert self.requests == ["GET /probe"]
        self.requests.clear()

    @classmethod
    def sparql(cls) -> CountingServer:
        """One that answers like a SPARQL endpoint (empty results): a SERVICE call to it
        would succeed, and be seen."""
        return cls(
            b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}',
            "application/sparql-results+json",
        )

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
