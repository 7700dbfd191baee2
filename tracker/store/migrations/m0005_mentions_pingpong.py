"""Mentions link references to ping-pong items.

A REFERENCE in a ping-pong debate or in a ping-pong item's own text (``Motion A1``,
``Amendment 47A``, ``Lords Amendment 47``) names a motion or an amendment between
the Houses, which lives in ``pingpong_items``, not in ``amendments``. The typed
column ``mentions.pingpong_item_id`` (a foreign key, so Datasette links it) holds
the item of that number and type in the document's bill stage, when exactly one
fits.
"""


def migrate(db):
    db["mentions"].add_column("pingpong_item_id", int, fk="pingpong_items", fk_col="pingpong_item_id")
    db["mentions"].create_index(["pingpong_item_id"], if_not_exists=True)
