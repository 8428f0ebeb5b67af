"""doccheck: rule-based compliance checker for controlled medical-device documents."""

__version__ = "0.1.0"
__url__ = "https://example.invalid/doccheck"  # the project's home: rule pages, SARIF informationUri


def scan(paths, config=None, progress=None):  # type: ignore[no-untyped-def]
    """Check documents: ``doccheck.scan(["SOPs/"]) -> Report`` (see `doccheck.api.scan`).

    Defined here lazily so that ``import doccheck`` stays cheap.
    """
    from doccheck.api import scan as _scan

    return _scan(paths, config, progress)
