"""The foundation: bills, stages, amendments, ping-pong items, members, sponsors, runs and history."""

# Bookkeeping columns every synced record carries (never part of change detection).
TRACKING = {
    "source_url": str,
    "sync_run_id": int,
    "content_hash": str,
    "first_seen": str,
    "last_seen": str,
    "removed_at": str,
}


def migrate(db):
    db["sync_runs"].create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "sources": str,
            "status": str,
            "requests": int,
            "bytes": int,
            "archive_path": str,
            "message": str,
        },
        pk="id",
    )
    db["bills"].create(
        {
            "bill_id": int,
            "short_title": str,
            "former_short_title": str,
            "long_title": str,
            "summary": str,
            "current_house": str,
            "originating_house": str,
            "current_stage": str,
            "is_act": int,
            "is_defeated": int,
            "withdrawn": str,
            "bill_type_id": int,
            "last_update": str,
            "session_id": int,
            **TRACKING,
        },
        pk="bill_id",
        foreign_keys=[("sync_run_id", "sync_runs", "id")],
    )
    db["bill_stages"].create(
        {
            "bill_stage_id": int,
            "bill_id": int,
            "stage_id": int,
            "description": str,
            "abbreviation": str,
            "house": str,
            "sort_order": int,
            "session_id": int,
            "first_sitting": str,
            "last_sitting": str,
            "sittings": str,
            **TRACKING,
        },
        pk="bill_stage_id",
        foreign_keys=[("bill_id", "bills", "bill_id"), ("sync_run_id", "sync_runs", "id")],
    )
    db["members"].create(
        {
            "member_id": int,
            "name": str,
            "party": str,
            "house": str,
            "constituency": str,
            "name_display_as": str,
            "name_list_as": str,
            "name_full_title": str,
            "name_address_as": str,
            "membership_start": str,
            "membership_end": str,
            "is_current": int,
            "gender": str,
            "thumbnail_url": str,
            **TRACKING,
        },
        pk="member_id",
        foreign_keys=[("sync_run_id", "sync_runs", "id")],
    )
    db["member_names"].create(
        {
            "id": int,
            "member_id": int,
            "name": str,
            "kind": str,
            "start_date": str,
            "end_date": str,
        },
        pk="id",
        foreign_keys=[("member_id", "members", "member_id")],
    )
    db["member_names"].create_index(["member_id", "name", "kind"], unique=True)
    db["amendments"].create(
        {
            "amendment_id": int,
            "api_id": int,
            "bill_id": int,
            "bill_stage_id": int,
            "number": str,
            "d_num": str,
            "amendment_type": str,
            "decision": str,
            "decision_explanation": str,
            "status_indicator": str,
            "clause": int,
            "schedule": int,
            "page_number": int,
            "line_number": int,
            "amendment_position": str,
            "amendment_location": str,
            "main_header": str,
            "summary": str,
            "summary_html": str,
            "text": str,
            "text_html": str,
            "explanatory_text": str,
            "amendment_note": str,
            "sponsors": str,
            "lead_sponsor_id": int,
            **TRACKING,
        },
        pk="amendment_id",
        foreign_keys=[
            ("bill_id", "bills", "bill_id"),
            ("bill_stage_id", "bill_stages", "bill_stage_id"),
            ("lead_sponsor_id", "members", "member_id"),
            ("sync_run_id", "sync_runs", "id"),
        ],
    )
    db["amendments"].create_index(["bill_stage_id", "number"])
    db["amendment_sponsors"].create(
        {"amendment_id": int, "member_id": int, "is_lead": int, "sort_order": int},
        pk=("amendment_id", "member_id"),
        foreign_keys=[("amendment_id", "amendments", "amendment_id"), ("member_id", "members", "member_id")],
    )
    db["amendment_sponsors"].create_index(["member_id"])
    # Ping-pong items keep their own id space (the API's PingPongItem id), so they
    # live beside amendments rather than risk colliding with amendmentId.
    db["pingpong_items"].create(
        {
            "pingpong_item_id": int,
            "bill_id": int,
            "bill_stage_id": int,
            "type": str,
            "number": str,
            "decision": str,
            "decision_explanation": str,
            "status_indicator": str,
            "summary": str,
            "text": str,
            "text_html": str,
            "sponsors": str,
            "lead_sponsor_id": int,
            **TRACKING,
        },
        pk="pingpong_item_id",
        foreign_keys=[
            ("bill_id", "bills", "bill_id"),
            ("bill_stage_id", "bill_stages", "bill_stage_id"),
            ("lead_sponsor_id", "members", "member_id"),
            ("sync_run_id", "sync_runs", "id"),
        ],
    )
    db["pingpong_sponsors"].create(
        {"pingpong_item_id": int, "member_id": int, "is_lead": int, "sort_order": int},
        pk=("pingpong_item_id", "member_id"),
        foreign_keys=[("pingpong_item_id", "pingpong_items", "pingpong_item_id"), ("member_id", "members", "member_id")],
    )
    # Bill text by clause, from legislation.gov.uk or a bill publication.
    db["bill_clauses"].create(
        {
            "clause_id": str,
            "bill_id": int,
            "version": str,
            "kind": str,
            "number": str,
            "heading": str,
            "part": str,
            "text": str,
            **TRACKING,
        },
        pk="clause_id",
        foreign_keys=[("bill_id", "bills", "bill_id"), ("sync_run_id", "sync_runs", "id")],
    )
    db["changes"].create(
        {
            "id": int,
            "sync_run_id": int,
            "table_name": str,
            "record_id": str,
            "kind": str,
            "changed_fields": str,
            "detected_at": str,
            "bill_id": int,
        },
        pk="id",
        foreign_keys=[("sync_run_id", "sync_runs", "id"), ("bill_id", "bills", "bill_id")],
    )
    db["changes"].create_index(["table_name", "record_id"])
    db["changes"].create_index(["detected_at"])
    # Per-key progress of incremental syncs (e.g. a bill's lastUpdate at its last complete pass).
    db["sync_state"].create(
        {"key": str, "value": str, "sync_run_id": int, "updated_at": str},
        pk="key",
    )
    # Validators and bodies for conditional requests across runs.
    db["http_cache"].create(
        {"url": str, "etag": str, "last_modified": str, "body": bytes, "content_type": str, "fetched_at": str},
        pk="url",
    )
