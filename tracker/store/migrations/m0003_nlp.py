"""NLP: the supplier and provision registries, tagged mentions, and what was tagged.

* ``suppliers`` (curated, from ``nlp/data/suppliers.jsonl``): ``parent_id`` links a
  subsidiary to its parent; one 0/1 column per risk flag for faceting, and each
  flag with its source in ``supplier_risk_flags``.
* ``provisions`` (from ``nlp/data/provisions.jsonl``): the taxonomy of security
  provisions and concepts, ``parent_id`` to a broader one.
* ``mentions``: one row per tagged span of one text field of one document
  (``doc_table``/``doc_id``/``field``; ``start``/``end`` are offsets in that field).
  ``entity_id`` is the generic link (member id, supplier or provision id, or a
  reference's normalised value); the typed columns ``member_id``, ``supplier_id``,
  ``provision_id`` and ``amendment_id`` are foreign keys so Datasette links them.
* ``nlp_documents``: per document field, the content hash and pipeline version
  it was last tagged with, so ``tracker tag`` only tags what is new or changed.
"""

RISK_FLAGS = ("prc_national_intelligence_law", "fcc_covered_list", "us_entity_list", "uk_government_named")


def migrate(db):
    db["suppliers"].create(
        {
            "supplier_id": str,
            "name": str,
            "legal_name": str,
            "aliases": str,  # JSON list of trading names and other names
            "parent_id": str,
            "country": str,
            "sector": str,
            **{flag: int for flag in RISK_FLAGS},
            "risk_flags": str,  # JSON list of {flag, source, url, date, note}
        },
        pk="supplier_id",
        foreign_keys=[("parent_id", "suppliers", "supplier_id")],
    )
    db["supplier_risk_flags"].create(
        {"id": int, "supplier_id": str, "flag": str, "source": str, "url": str, "date": str, "note": str},
        pk="id",
        foreign_keys=[("supplier_id", "suppliers", "supplier_id")],
    )
    db["supplier_risk_flags"].create_index(["supplier_id"])
    db["supplier_risk_flags"].create_index(["flag"])
    db["provisions"].create(
        {"provision_id": str, "name": str, "description": str, "legal_source": str, "parent_id": str},
        pk="provision_id",
        foreign_keys=[("parent_id", "provisions", "provision_id")],
    )
    db["mentions"].create(
        {
            "id": int,
            "doc_table": str,
            "doc_id": str,
            "field": str,
            "start": int,
            "end": int,
            "text": str,
            "label": str,
            "entity_id": str,
            "name": str,
            "member_id": int,
            "supplier_id": str,
            "provision_id": str,
            "amendment_id": int,
            "value": str,
            "pipeline_version": str,
        },
        pk="id",
        foreign_keys=[
            ("member_id", "members", "member_id"),
            ("supplier_id", "suppliers", "supplier_id"),
            ("provision_id", "provisions", "provision_id"),
            ("amendment_id", "amendments", "amendment_id"),
        ],
    )
    db["mentions"].create_index(["doc_table", "doc_id"])
    db["mentions"].create_index(["label", "entity_id"])
    db["mentions"].create_index(["member_id"])
    db["mentions"].create_index(["supplier_id"])
    db["mentions"].create_index(["provision_id"])
    db["mentions"].create_index(["amendment_id"])
    db["nlp_documents"].create(
        {
            "doc_table": str,
            "doc_id": str,
            "field": str,
            "content_hash": str,
            "pipeline_version": str,
            "mentions": int,
            "tagged_at": str,
        },
        pk=("doc_table", "doc_id", "field"),
    )
    db["nlp_documents"].create_index(["pipeline_version"])
