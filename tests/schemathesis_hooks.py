"""Schemathesis hooks for tests/schemathesis.sh: a problem package's body
(application/zip) is sent as the raw bytes Schemathesis generates, as it
sends application/octet-stream."""
import schemathesis

schemathesis.serializer.alias("application/zip", "application/octet-stream")
