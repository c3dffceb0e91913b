"""Helper for the gateway_*.py drivers (not a driver itself): an httpx transport that keeps each exchange
as it went over the socket, so a driver can report the exact bytes its SDK received, when each chunk
arrived, and the response headers, next to what the SDK made of them.

`wiretap(module)` takes the HTTP package the SDK is built on: `httpx`, or `httpx2` (anthropic ≥ 2 refuses
an `httpx.Client`)."""
import time

import httpx


def wiretap(module=httpx):
    class Wiretap(module.BaseTransport):
        def __init__(self):
            self.inner = module.HTTPTransport()
            self.started = time.monotonic()
            self.exchanges = []

        def handle_request(self, request):
            record = {"method": request.method, "url": str(request.url),
                      "request_body": request.read().decode("utf-8", "replace"),
                      "request_headers": {k.lower(): v for k, v in request.headers.items()}, "chunks": []}
            self.exchanges.append(record)
            response = self.inner.handle_request(request)
            record["status"] = response.status_code
            record["headers"] = {k.lower(): v for k, v in response.headers.items()}
            inner, started, chunks = response.stream, self.started, record["chunks"]

            class Stream(module.SyncByteStream):
                def __iter__(self):
                    for chunk in inner:
                        chunks.append((time.monotonic() - started, bytes(chunk)))
                        yield chunk

                def close(self):
                    inner.close()

            return module.Response(response.status_code, headers=response.headers, stream=Stream(),
                                   extensions=response.extensions)

        def close(self):
            self.inner.close()

        def client(self, **kwargs):
            return module.Client(transport=self, timeout=20, **kwargs)

        def report(self):
            """Each exchange: request line and body as sent, status, headers (lower-cased), the body exactly as
            received (raw, before any content decoding) and the arrival time of each chunk in seconds."""
            return [{"method": e["method"], "url": e["url"], "request_body": e["request_body"],
                     "request_headers": e["request_headers"], "status": e.get("status"), "headers": e.get("headers", {}),
                     "body": b"".join(c for _, c in e["chunks"]).decode("utf-8", "replace"),
                     "arrivals": [t for t, _ in e["chunks"]]} for e in self.exchanges]

    return Wiretap()
