"""Unit tests of ssoctl.sp (no network)."""
