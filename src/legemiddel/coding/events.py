"""What the coding app announces through the outbox."""

EPISODES_IMPORTED = "coding.episodes_imported"
