"""Fixtures of the accounts tests: the single sign-on provider lives in ``sso.py``."""

from tests.accounts.sso import provider, sso  # noqa: F401
