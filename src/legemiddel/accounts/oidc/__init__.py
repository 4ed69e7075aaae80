"""Logging in with the hospital's identity provider (OpenID Connect: HelseID, Entra ID).

Built on mozilla-django-oidc: ``config`` reads the settings and the provider's discovery
document, ``assertion`` signs the ``private_key_jwt`` client assertion HelseID requires,
``claims`` maps claim values to roles and unit codes, ``backend`` finds or creates the user and
``views`` start the login and receive the provider's answer. See docs/operations.md.
"""
