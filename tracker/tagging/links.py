"""What a reference in a bill stage's documents links to: the stage's amendment and ping-pong numbers."""
import hashlib

from tracker import store
from tracker.sync.linking import stage_numbers


def digest(*parts):
    return hashlib.sha256(store.canonical(parts).encode("utf-8")).hexdigest()[:16]


class StageLinks:
    """Per stage, the tables the tagger hands ``nlp/`` to link references with, and their digest
    (part of a document's content hash, so a change in its stage's numbers retags it).

    The tables are :func:`tracker.sync.linking.stage_numbers`: the one resolver's, so a
    reference in a tagged text links exactly as the same reference in a speech or a
    division title does (``amendments``: number -> ``amendment_id``; ``pingpong``:
    ``motion:A1``/``amendment:47A`` -> ``pingpong_item_id``).
    """

    def __init__(self, db):
        self.db = db
        self.cache = {}

    def get(self, stage_id):
        """``(amendments, pingpong, digest)`` for one stage (``None``s without a stage)."""
        if stage_id is None:
            return None, None, None
        if stage_id not in self.cache:
            numbers = stage_numbers(self.db, [stage_id])
            self.cache[stage_id] = (numbers.amendments or None, numbers.pingpong or None,
                                    digest(sorted(numbers.amendments.items()), sorted(numbers.pingpong.items())))
        return self.cache[stage_id]
