"""A real OTLP/HTTP receiver for the OpenTelemetry export tests: decodes what Sightline posts to /v1/traces and
/v1/metrics with the official protobuf bindings (opentelemetry-proto) and appends one JSON line per request to
OUT (spans and metric points flattened, ids in hex, attribute values as plain JSON), and the raw bodies to
OUT.raw, so a test can also search the bytes on the wire.

usage: otlp_receiver.py OUT [--delay SECONDS] [--status CODE]
Prints the port it listens on (127.0.0.1, chosen by the OS), then serves until killed."""
import argparse
import gzip
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (ExportMetricsServiceRequest,
                                                                        ExportMetricsServiceResponse)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (ExportTraceServiceRequest,
                                                                    ExportTraceServiceResponse)

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--delay", type=float, default=0)
parser.add_argument("--status", type=int, default=200)
args = parser.parse_args()
lock = threading.Lock()


def value(any_value):
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [value(v) for v in any_value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: value(kv.value) for kv in any_value.kvlist_value.values}
    if kind == "bytes_value":
        return any_value.bytes_value.hex()
    return getattr(any_value, kind) if kind else None


def attributes(key_values):
    return {kv.key: value(kv.value) for kv in key_values}


def spans(request):
    out = []
    for resource_spans in request.resource_spans:
        resource = attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                out.append({"name": span.name, "kind": span.kind, "trace_id": span.trace_id.hex(),
                            "span_id": span.span_id.hex(), "parent_span_id": span.parent_span_id.hex(),
                            "trace_state": span.trace_state,
                            "start": span.start_time_unix_nano, "end": span.end_time_unix_nano,
                            "status": {"code": span.status.code, "message": span.status.message},
                            "attributes": attributes(span.attributes), "resource": resource,
                            "scope": scope_spans.scope.name})
    return out


def metrics(request):
    out = []
    for resource_metrics in request.resource_metrics:
        resource = attributes(resource_metrics.resource.attributes)
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                kind = metric.WhichOneof("data")
                points = []
                for point in getattr(metric, kind).data_points:
                    entry = {"attributes": attributes(point.attributes)}
                    if kind == "histogram":
                        entry.update(count=point.count, sum=point.sum, bucket_counts=list(point.bucket_counts),
                                     explicit_bounds=list(point.explicit_bounds))
                    points.append(entry)
                out.append({"name": metric.name, "type": kind, "points": points, "resource": resource})
    return out


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            body = gzip.decompress(body)
        if args.delay:
            time.sleep(args.delay)
        if self.path.endswith("/v1/traces"):
            request, response, kind = ExportTraceServiceRequest(), ExportTraceServiceResponse(), "spans"
        elif self.path.endswith("/v1/metrics"):
            request, response, kind = ExportMetricsServiceRequest(), ExportMetricsServiceResponse(), "metrics"
        else:
            self.send_error(404)
            return
        request.ParseFromString(body)
        items = spans(request) if kind == "spans" else metrics(request)
        with lock:
            with open(args.out, "a") as out:
                out.write(json.dumps({"kind": kind, "path": self.path,
                                      "content_type": self.headers.get("Content-Type"),
                                      "user_agent": self.headers.get("User-Agent"), "items": items}) + "\n")
            with open(args.out + ".raw", "ab") as raw:
                raw.write(body)
        payload = response.SerializeToString()
        self.send_response(args.status)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
