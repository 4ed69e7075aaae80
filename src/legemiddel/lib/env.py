"""Typed helpers that read configuration from the environment.

Every setting that differs between machines comes through these helpers so that
the rules (how booleans are spelled, how ``*_FILE`` secrets work) are the same everywhere.
"""

from __future__ import annotations

import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on", "ja"}
_FALSE = {"0", "false", "no", "off", "nei", ""}


class ConfigError(Exception):
    """A setting in the environment is missing or malformed."""


def env_str(name: str, default: str | None = None) -> str | None:
    """Return the variable ``name``, or the contents of the file named by ``name_FILE``.

    The ``_FILE`` variant lets secrets come from mounted files (Docker/Kubernetes secrets,
    systemd credentials) instead of the process environment. Giving both is an error,
    because silently preferring one hides a misconfiguration.
    """
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is not None and file_name:
        raise ConfigError(f"Both {name} and {name}_FILE are set; set only one of them.")
    if file_name:
        path = Path(file_name)
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"{name}_FILE points to {file_name}, which cannot be read: {exc}"
            ) from exc
    if value is None:
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean: 1/0, true/false, yes/no, on/off, ja/nei (case-insensitive)."""
    raw = env_str(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int) -> int:
    """Read an integer setting."""
    raw = env_str(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} is not a whole number.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Read a comma-separated list; blanks are dropped."""
    raw = env_str(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]
