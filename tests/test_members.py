"""Members API parsing and the offline ``tracker members load`` command."""
import json
from pathlib import Path

from click.testing import CliRunner

from conftest import load_fixture
from scrapers import members as members_api
from tracker import store
from tracker.cli import cli

SAMPLE_SEARCH = Path(__file__).resolve().parents[1] / "tracker" / "sample" / "members_search.json"


def _values():
    return {v["id"]: v for v in members_api.search_values(load_fixture("members", "search_page.json"))}


def test_search_page_to_member_rows():
    values = _values()
    peer = members_api.parse_member(values[4262], "https://members-api.example/api/Members/Search")
    assert peer.house == "Lords"  # house 2
    assert peer.constituency is None  # "Life peer" is not a seat
    assert (peer.name, peer.name_list_as, peer.name_full_title, peer.name_address_as) == (
        "Baroness Neville-Rolfe", "Neville-Rolfe, B.", "The Baroness Neville-Rolfe DBE CMG", "Baroness Neville-Rolfe")
    assert peer.party == "Conservative" and peer.is_current == 1 and peer.membership_start == "2013-10-14"
    mp = members_api.parse_member(values[4613], None)
    assert (mp.house, mp.constituency, mp.is_current) == ("Commons", "Brentwood and Ongar", 1)
    former = members_api.parse_member(values[4507], None)
    assert (former.is_current, former.membership_end, former.constituency) == (0, "2024-05-30", "Horsham")


def test_name_forms_of_an_mp_include_the_plain_name():
    rows = members_api.parse_member_names(_values()[4613])
    assert {(r.name, r.kind) for r in rows} == {
        ("Alex Burghart", "display"), ("Burghart, Alex", "list"), ("Alex Burghart MP", "full title"),
        ("Mr Burghart", "address-as"), ("Alex Burghart", "alias"),
    }


def test_a_member_who_later_became_a_peer_keeps_the_earlier_names_with_dates():
    [history] = load_fixture("members", "history_497.json")
    rows = members_api.parse_member_names(_values()[497], history["value"])
    by = {(r.name, r.kind): (r.start_date, r.end_date) for r in rows}
    assert by[("Lord Blencathra", "display")] == ("2011-01-19", None)
    assert by[("Mr David Maclean", "former")] == ("1983-06-09", "2010-05-06")
    assert by[("David Maclean", "former")] == ("1983-06-09", "2010-05-06")
    assert by[("Member for Penrith and The Border", "alias")] == ("1983-06-09", "2010-05-06")
    # peers' list forms ("Blencathra, L.") give no plain-name alias
    assert not any(r.name == "L. Blencathra" for r in rows)


def test_member_item_and_house_numbers():
    item = load_fixture("members", "member_4507.json")
    assert members_api.parse_member(item["value"], "u").member_id == 4507
    assert members_api.HOUSES == {1: "Commons", 2: "Lords"}  # the Members API's House integers


def test_members_load_command_offline_and_idempotent(tmp_path):
    db_path = str(tmp_path / "t.db")
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db_path, "members", "load", str(SAMPLE_SEARCH)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    total = json.loads(SAMPLE_SEARCH.read_text())["totalResults"]
    assert f"{total} members read; {total} added" in result.output
    db = store.open_db(db_path)
    assert db["members"].count == total
    assert db.execute("SELECT count(*) FROM member_names WHERE kind = 'display'").fetchone()[0] == total
    assert db.execute("SELECT is_current FROM members WHERE member_id = 114").fetchone()[0] == 0  # Tim Loughton, former MP
    again = runner.invoke(cli, ["--db", db_path, "members", "load", str(SAMPLE_SEARCH)], catch_exceptions=False)
    assert "no changes" in again.output
    assert db.execute("SELECT count(*) FROM changes WHERE table_name = 'members'").fetchone()[0] == total


def test_members_load_a_member_item_and_refuse_other_json(tmp_path):
    db_path = str(tmp_path / "t.db")
    item = Path(__file__).parent / "fixtures" / "members" / "member_4507.json"
    result = CliRunner().invoke(cli, ["--db", db_path, "members", "load", str(item)])
    assert result.exit_code == 0 and "1 members read; 1 added" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"hello": "world"}))
    result = CliRunner().invoke(cli, ["--db", db_path, "members", "load", str(bad)])
    assert result.exit_code == 1
    assert "no members found" in result.output and len(result.output.strip().splitlines()) == 1
