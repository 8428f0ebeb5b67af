"""Rule types: a closed set in Python. Each module has `Options`, `OPTIONS_DOC` and `check`."""
