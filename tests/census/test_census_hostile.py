"""Hostile or broken files are refused with a message a person can act on, in a bounded child."""

from __future__ import annotations

import pytest

from census.importer import read_return
from census.xmlio import ReturnRejected, parse_bytes

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Message><LALevelVacancies><NumberOfVacancies>&lol3;</NumberOfVacancies></LALevelVacancies></Message>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Message><CSWWWorker><SWENo>&xxe;</SWENo></CSWWWorker></Message>"""

DEEP = b"<Message>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</Message>"


@pytest.mark.parametrize("data, words", [
    (LAUGHS, "DTD or entities"),
    (EXTERNAL, "DTD or entities"),
    (DEEP, "deep"),
    (b"<Message><CSWWWorker>", "not well-formed"),
    (b"", "empty"),
    (b"PK\x03\x04 workbook", "not an XML file"),
    (b"<Workbook/>", "not <Message>"),
    (b"<Message><LALevelVacancies/></Message>", "no CSWWWorker"),
])
def test_hostile_or_broken_refused(tmp_path, data, words):
    path = tmp_path / "return.xml"
    path.write_bytes(data)
    with pytest.raises(ReturnRejected) as exc:
        read_return(path, year=2024)
    assert words in str(exc.value)
    assert "Traceback" not in str(exc.value)


def test_size_limit_checked_before_parsing(tmp_path):
    path = tmp_path / "big.xml"
    path.write_bytes(b"<Message>" + b" " * 2048 + b"</Message>")
    with pytest.raises(ReturnRejected, match="over the"):
        parse_bytes(path.read_bytes(), max_bytes=1024)


def test_slow_parse_times_out():
    big = b"<Message>" + b"<CSWWWorker><SWENo>SW1</SWENo></CSWWWorker>" * 200_000 + b"</Message>"
    with pytest.raises(ReturnRejected, match="took more than"):
        parse_bytes(big, timeout=0.01)
