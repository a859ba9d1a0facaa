"""The REST API: one router per resource in :mod:`revintel.api.routers`, served under ``/api/v1``.

The routers are listed in :mod:`revintel.capabilities` and included by
:func:`revintel.server.create_app`; they read through :mod:`revintel.views` and the domain
packages.
"""
