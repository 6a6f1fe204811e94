"""Comments the connector leaves on Starweb orders (a refused edit, a short pick, a warehouse state a
person must look at), each at most once.

``POST /orders/{orderId}/comments`` always creates a new comment, and its answer can be lost after the
comment landed; the next run would then post it again. So the order's comments are read first, and a
comment with the same text counts as already posted.
"""

from __future__ import annotations

from integrations.starweb.client import StarwebClient
from tasks.recording import Batch, DryRun

COMMENT_OPERATION = "POST /orders/{orderId}/comments"


async def comment_once(batch: Batch, shop: StarwebClient, order_id: int, text: str) -> bool:
    """Leave ``text`` on the order unless it is there already; True when it was posted now."""
    if batch.dry_run:
        raise DryRun(f"{COMMENT_OPERATION} {order_id}")
    existing = await shop.list_order_comments(order_id)
    if any((comment.text or "").strip() == text.strip() for comment in existing):
        return False
    await batch.write("starweb", COMMENT_OPERATION, str(order_id), lambda: shop.create_order_comment(order_id, text))
    return True
