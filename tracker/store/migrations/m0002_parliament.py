"""Debates and speeches (Hansard), divisions and votes (Commons and Lords Votes),
links from speeches to amendments, and written questions and statements."""
from tracker.store.migrations.m0001_foundation import TRACKING

RUN_FK = ("sync_run_id", "sync_runs", "id")


def migrate(db):
    # One row per Hansard debate section (a debate and each of its child sections).
    db["debates"].create(
        {
            "debate_id": str,  # the section's ExtId
            "parent_debate_id": str,
            "title": str,
            "date": str,
            "house": str,
            "location": str,
            "hrs_tag": str,
            "hansard_source": str,  # RollingHansard, DailyHansard, BoundVolume ...
            "content_last_updated": str,
            "bill_id": int,
            "bill_stage_id": int,
            **TRACKING,
        },
        pk="debate_id",
        foreign_keys=[
            ("parent_debate_id", "debates", "debate_id"),
            ("bill_id", "bills", "bill_id"),
            ("bill_stage_id", "bill_stages", "bill_stage_id"),
            RUN_FK,
        ],
    )
    db["debates"].create_index(["bill_id", "date"])
    db["contributions"].create(
        {
            "contribution_id": int,  # the item's ItemId
            "external_id": str,
            "debate_id": str,
            "member_id": int,
            "attributed_to": str,
            "item_type": str,
            "order_in_section": int,
            "timecode": str,
            "hansard_column": str,  # e.g. "1234" or "GC301"
            "hrs_tag": str,
            "text": str,
            "html": str,
            **TRACKING,
        },
        pk="contribution_id",
        foreign_keys=[("debate_id", "debates", "debate_id"), ("member_id", "members", "member_id"), RUN_FK],
    )
    db["contributions"].create_index(["debate_id", "order_in_section"])
    db["contributions"].create_index(["member_id"])
    # A speech's references to the amendments (or ping-pong motions/amendments) of its stage.
    db["contribution_amendments"].create(
        {
            "contribution_id": int,
            "amendment_id": int,
            "pingpong_item_id": int,
            "how": str,  # moved, spoke to, mentioned
            "reference": str,  # the words the link was read from
        },
        foreign_keys=[
            ("contribution_id", "contributions", "contribution_id"),
            ("amendment_id", "amendments", "amendment_id"),
            ("pingpong_item_id", "pingpong_items", "pingpong_item_id"),
        ],
    )
    db["contribution_amendments"].create_index(["contribution_id"])
    db["contribution_amendments"].create_index(["amendment_id"])
    db["contribution_amendments"].create_index(["pingpong_item_id"])
    # Commons and Lords division ids are separate id spaces, so the key carries the House.
    db["divisions"].create(
        {
            "division_id": str,  # "commons-1525", "lords-2911"
            "api_division_id": int,
            "house": str,
            "number": int,
            "date": str,
            "title": str,
            "aye_count": int,
            "no_count": int,
            "notes": str,
            "amendment_ref": str,  # what the title names ("NC1", "47", "Motion A"), linked or not
            "bill_id": int,
            "bill_stage_id": int,
            "amendment_id": int,
            "pingpong_item_id": int,
            **TRACKING,
        },
        pk="division_id",
        foreign_keys=[
            ("bill_id", "bills", "bill_id"),
            ("bill_stage_id", "bill_stages", "bill_stage_id"),
            ("amendment_id", "amendments", "amendment_id"),
            ("pingpong_item_id", "pingpong_items", "pingpong_item_id"),
            RUN_FK,
        ],
    )
    db["divisions"].create_index(["bill_id", "date"])
    db["division_votes"].create(
        {
            "division_id": str,
            "member_id": int,
            "vote": str,  # aye, no, content, not-content
            "is_teller": int,
            "proxy_name": str,
        },
        pk=("division_id", "member_id"),
        foreign_keys=[("division_id", "divisions", "division_id"), ("member_id", "members", "member_id")],
    )
    db["division_votes"].create_index(["member_id"])
    db["written_questions"].create(
        {
            "question_id": int,
            "uin": str,
            "house": str,
            "asking_member_id": int,
            "answering_member_id": int,
            "answering_body": str,
            "date_tabled": str,
            "date_for_answer": str,
            "date_answered": str,
            "heading": str,
            "question_text": str,
            "answer_text": str,
            "answer_html": str,
            "is_withdrawn": int,
            "is_holding_answer": int,
            "bill_id": int,
            **TRACKING,
        },
        pk="question_id",
        foreign_keys=[
            ("asking_member_id", "members", "member_id"),
            ("answering_member_id", "members", "member_id"),
            ("bill_id", "bills", "bill_id"),
            RUN_FK,
        ],
    )
    db["written_questions"].create_index(["date_tabled"])
    db["written_statements"].create(
        {
            "statement_id": int,
            "uin": str,
            "house": str,
            "member_id": int,
            "member_role": str,
            "answering_body": str,
            "date": str,
            "title": str,
            "text": str,
            "html": str,
            "bill_id": int,
            **TRACKING,
        },
        pk="statement_id",
        foreign_keys=[("member_id", "members", "member_id"), ("bill_id", "bills", "bill_id"), RUN_FK],
    )
    db["written_statements"].create_index(["date"])
    # Which search (a bill's title or a watch term) found each question or statement.
    db["written_matches"].create(
        {"question_id": int, "statement_id": int, "term": str, "first_seen": str},
        foreign_keys=[
            ("question_id", "written_questions", "question_id"),
            ("statement_id", "written_statements", "statement_id"),
        ],
    )
    db["written_matches"].create_index(["question_id", "statement_id", "term"])
