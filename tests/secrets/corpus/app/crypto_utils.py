"""PEM helpers.

A key looks like::

    -----BEGIN RSA PRIVATE KEY-----
    ...
    -----END RSA PRIVATE KEY-----
"""
PEM_HEADER = b"-----BEGIN PRIVATE KEY-----"
PEM_FOOTER = b"-----END PRIVATE KEY-----"
TEMPLATE = "-----BEGIN EC PRIVATE KEY-----\n{body}\n-----END EC PRIVATE KEY-----"
