"""HTTP publishing clients: an httpx event hook and a requests adapter that check request bodies before they are sent.

Work in progress (issue 12)."""
