"""Sync bundles: a commune's records reach the province as one signed, encrypted file.

``keys`` (Ed25519 signing, X25519 encryption, fingerprints, registration) → ``export`` (commune)
→ ``verify`` and ``importer`` with ``merge`` (province, dry run then one transaction) →
``receipts`` (province signs, commune acknowledges) → ``board`` (what each commune sent).
The format is specified in docs/bundle-format.md.
"""
