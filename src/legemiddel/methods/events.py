"""What the methods app announces on the outbox."""

# A decision list was imported, or a person changed a method's status, links or ICD-10 codes.
# Payload: {"methods": [method ids (int) that changed]}; the contradiction finder listens.
METHODS_CHANGED = "methods.changed"
