"""A tiny third-party format: 'key: value' lines, records separated by blank lines."""

from guardrail import Documents, PayloadError, hookimpl


class KeyValueFormat:
    name = "kv"
    extensions = (".kv",)
    description = "key: value records separated by blank lines"

    def sniff(self, head):
        return 0

    def read(self, payload, options):
        def records():
            record = {}
            for number, line in enumerate(payload.open_text(), 1):
                line = line.rstrip("\r\n")
                if not line.strip():
                    if record:
                        yield record
                    record = {}
                    continue
                if ":" not in line:
                    raise PayloadError("expected 'key: value'", file=payload.name,
                                       position=f"line {number}")
                key, value = line.split(":", 1)
                record[key.strip()] = value.strip()
            if record:
                yield record

        yield Documents(records())


@hookimpl
def guardrail_register_formats(register):
    register(KeyValueFormat())
