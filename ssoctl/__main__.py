"""``python -m ssoctl`` runs the command line."""

from ssoctl.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised by subprocess tests
    main()
