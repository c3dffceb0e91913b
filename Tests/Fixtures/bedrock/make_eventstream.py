"""Writes each scenario's `response.eventstream` from its `events.json`, in the binary framing of
`application/vnd.amazon.eventstream` (https://docs.aws.amazon.com/transcribe/latest/dg/streaming-setting-up.html#streaming-event-stream
describes the same encoding): every message is

    total length u32 | headers length u32 | CRC32 of those 8 bytes | headers | payload | CRC32 of all before

big-endian, each header `name length u8 | name | type u8 | value`, here always type 7 (string, u16 length).

`events.json` is a list of entries:
  {"event": "<:event-type>", "payload": {...}}        an event (ConverseStream)
  {"chunk": {...}}                                   InvokeModelWithResponseStream: the model's own event, sent
                                                     as {"bytes": base64(json)} in a `chunk` event
  {"exception": "<:exception-type>", "payload": {...}} a modelled error

Run from anywhere: python3 Tests/Fixtures/bedrock/make_eventstream.py
"""
import base64
import json
import pathlib
import struct
import zlib


def header(name, value):
    name, value = name.encode(), value.encode()
    return struct.pack(">B", len(name)) + name + b"\x07" + struct.pack(">H", len(value)) + value


def message(headers, payload):
    block = b"".join(header(k, v) for k, v in headers)
    total = 12 + len(block) + len(payload) + 4
    prelude = struct.pack(">II", total, len(block))
    head = prelude + struct.pack(">I", zlib.crc32(prelude)) + block + payload
    return head + struct.pack(">I", zlib.crc32(head))


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def frame(entry):
    if "chunk" in entry:
        inner = base64.b64encode(compact(entry["chunk"])).decode()
        return message([(":event-type", "chunk"), (":content-type", "application/json"), (":message-type", "event")],
                       compact({"bytes": inner}))
    if "exception" in entry:
        return message([(":exception-type", entry["exception"]), (":content-type", "application/json"),
                        (":message-type", "exception")], compact(entry["payload"]))
    return message([(":event-type", entry["event"]), (":content-type", "application/json"), (":message-type", "event")],
                   compact(entry["payload"]))


for events in sorted(pathlib.Path(__file__).parent.glob("*/events.json")):
    frames = [frame(entry) for entry in json.loads(events.read_text())]
    (events.parent / "response.eventstream").write_bytes(b"".join(frames))
    print(f"{events.parent.name}: {len(frames)} frames")
