"""What the findings app announces on the outbox.

``findings.changed``: people changed findings (status, resolution); payload ``{"kind": key}``.
A control whose measure counts open findings listens and recounts.
"""

FINDINGS_CHANGED = "findings.changed"
