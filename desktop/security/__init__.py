"""Who may do what: accounts, roles, the permission check every workflow entry point calls, and
(in ``sealing``) the encryption of identities the law keeps secret (issue #17, DOMAIN.md §7).

Security lives in the core: the CLI and the window call the same ``require``; a disabled button
is only a courtesy.
"""

from desktop.security.principal import Principal, actor_name, current, require  # noqa: F401
