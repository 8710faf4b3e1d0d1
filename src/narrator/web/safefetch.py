"""The fetch policy for submitted URLs now lives in ``narrator.safefetch`` (below
both front ends, so ``narrate batch`` uses it too); this name stays for imports."""

from ..safefetch import BlockedAddressError, FetchPolicy, check_url, safe_fetch

__all__ = ["BlockedAddressError", "FetchPolicy", "check_url", "safe_fetch"]
