from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from legemiddel.web.navigation import menu_for


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page frame needs: the menu for this user and the trust's name."""
    user = getattr(request, "user", None)
    return {
        # Lazy: htmx fragments render without the frame and should not pay for the menu.
        "menu": SimpleLazyObject(lambda: menu_for(user) if user is not None else []),
        "trust_name": settings.LEGEMIDDEL_TRUST_NAME,
        "demo_mode": settings.MODE == "demo",
        "login_cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
