"""Unit serials from a pattern: what a pattern makes, what it refuses, and serials read back.

The check character's promise (every single substitution, every swap of neighbours but the
one documented blind spot) is proved exhaustively on the algorithm, then fuzzed on whole
serials.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import suppress
from itertools import product

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from boardline.core.errors import InvalidInput
from boardline.production.serials import (
    ALPHANUMERIC,
    MAX_BATCH,
    MAX_LENGTH,
    SERIAL_CHARACTERS,
    Kind,
    SerialContext,
    SerialParts,
    SerialPattern,
    check_char,
    check_serial,
    has_valid_check,
    normalize_serial,
)

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DAY = dt.date(2026, 1, 14)  # ISO week 3, day 14 of the year
ACME = SerialContext(customer="ACME", product="PX100", revision="B", date=DAY)
CUSTOMER_PATTERN = "{CUST}{YY}{WW}-{SEQ:6}{CHECK}"
REVISION_PATTERN = "OC-{REV}-{SEQ:5}{CHECK}"


def pattern(text: str) -> SerialPattern:
    return SerialPattern.parse(text)


def refused(text: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        SerialPattern.parse(text)
    assert caught.value.extra.get("field") == "pattern"
    return caught.value.detail


def rejected(
    serial: str, text: str = CUSTOMER_PATTERN, context: SerialContext | None = None
) -> str:
    with pytest.raises(InvalidInput) as caught:
        check_serial(pattern(text), serial, context)
    assert caught.value.code == "invalid_input"
    return caught.value.detail


# --- the check character: ISO/IEC 7064 MOD 37,36 ----------------------------------------


def test_check_character_matches_the_published_example() -> None:
    # The example for MOD 37,36 in python-stdnum, an independent implementation.
    assert check_char("A12425GABC1234002") == "M"
    assert has_valid_check("A12425GABC1234002M")
    assert not has_valid_check("A12425GABC1234002N")


def test_check_character_skips_separators() -> None:
    assert check_char("AB-12/3.4") == check_char("AB1234")
    assert has_valid_check("AB-12/3.4" + check_char("AB1234"))


@pytest.mark.parametrize("text", ["", "X", "ab12", "AB12*", "AB12 ", "AB-"])
def test_has_valid_check_is_false_for_what_cannot_carry_one(text: str) -> None:
    assert not has_valid_check(text)


def test_check_char_refuses_characters_outside_the_alphabet() -> None:
    with pytest.raises(InvalidInput, match="'\\*' is not A-Z, 0-9"):
        check_char("AB*")


def test_every_single_substitution_is_caught_exhaustively() -> None:
    """A one-character prefix reaches each of the 36 internal states and every later step
    is a permutation of the states, so two characters after every prefix stand for any
    position of any longer text: this covers them all, check character included."""
    for x, a in product(ALPHANUMERIC, repeat=2):
        valid = x + a + check_char(x + a)
        assert has_valid_check(valid)
        for index, other in product(range(3), ALPHANUMERIC):
            if other != valid[index]:
                changed = valid[:index] + other + valid[index + 1 :]
                assert not has_valid_check(changed), (valid, changed)


def alphabet_neighbours(a: str, b: str) -> bool:
    """Next to each other in 0…9A…Z, counted round: the only swaps MOD 37,36 can miss."""
    return (ALPHANUMERIC.index(a) - ALPHANUMERIC.index(b)) % 36 in (1, 35)


def test_every_swap_of_neighbours_is_caught_but_the_documented_blind_spot() -> None:
    """As above: every start state, every pair, and the swap with the check character.

    The hybrid system misses a swap of two characters next to each other in the alphabet
    when the running sum before them is 18: exactly one start state per such pair.
    """
    missed: list[tuple[str, str]] = []
    swaps = 0
    for x, a, b in product(ALPHANUMERIC, repeat=3):
        valid = x + a + b + check_char(x + a + b)
        for index in range(3):
            if valid[index] != valid[index + 1]:
                swapped = valid[:index] + valid[index + 1] + valid[index] + valid[index + 2 :]
                swaps += 1
                if has_valid_check(swapped):
                    missed.append((valid, swapped))
    assert all(alphabet_neighbours(*_swapped_pair(v, w)) for v, w in missed)
    # Each running state misses one pair of neighbours, in both orders: the 36 states
    # before the middle swap give 72, the start state before the first swap, followed by
    # any of 36 characters, another 72.
    data_missed = [(v, w) for v, w in missed if v[3] == w[3]]
    assert len(data_missed) == 72 + 72
    check_missed = [(v, w) for v, w in missed if v[3] != w[3]]
    assert sorted({w[2:] for _, w in check_missed}) == ["01", "10"]
    assert len(missed) / swaps < 1 / 600


def _swapped_pair(valid: str, swapped: str) -> tuple[str, str]:
    index = next(i for i in range(len(valid)) if valid[i] != swapped[i])
    return valid[index], valid[index + 1]


@pytest.mark.parametrize(
    ("valid", "swapped"),
    [("0A01", "0A10"), ("0JKY", "0KJY")],
)
def test_the_blind_spot_is_real(valid: str, swapped: str) -> None:
    """Kept as examples, so the limit is seen, not only read about in the module doc."""
    assert has_valid_check(valid)
    assert has_valid_check(swapped)


# --- patterns: what they make -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seq", "serial"),
    [
        (CUSTOMER_PATTERN, 1, "ACME2603-000001" + check_char("ACME2603000001")),
        (REVISION_PATTERN, 42, "OC-B-00042" + check_char("OCB00042")),
        ("{PROD}/{YYYY}{MM}{DD}.{SEQ:4}", 7, "PX100/20260114.0007"),
        ("{DDD}{SEQ36:3}", 36 * 36 + 35, "01410Z"),
        ("SN{SEQ:1}", 9, "SN9"),
    ],
)
def test_format_fills_each_field(text: str, seq: int, serial: str) -> None:
    assert pattern(text).format(seq, ACME) == serial


def test_codes_are_trimmed_and_printed_in_upper_case() -> None:
    context = SerialContext(customer=" acme ", revision="b.2")
    assert pattern("{CUST}{REV}{SEQ:2}").format(3, context) == "ACMEB.203"


@pytest.mark.parametrize(
    ("day", "year_week"),
    [
        (dt.date(2024, 12, 30), "2501"),  # Monday of ISO week 1 of 2025
        (dt.date(2021, 1, 3), "2053"),  # Sunday of ISO week 53 of 2020
        (dt.date(2026, 12, 31), "2653"),
        (dt.date(2027, 1, 1), "2653"),
        (dt.date(2026, 1, 14), "2603"),
    ],
)
def test_with_a_week_the_year_is_the_iso_week_year(day: dt.date, year_week: str) -> None:
    context = SerialContext(date=day)
    assert pattern("{YY}{WW}{SEQ:1}").format(0, context) == year_week + "0"
    assert pattern("{YYYY}{WW}{SEQ:1}").format(0, context) == "20" + year_week + "0"


def test_without_a_week_the_year_is_the_calendar_year() -> None:
    context = SerialContext(date=dt.date(2024, 12, 30))
    assert pattern("{YY}{DDD}{SEQ:1}").format(0, context) == "243650"
    assert pattern("{YYYY}{MM}{DD}{SEQ:1}").format(0, context) == "202412300"


@pytest.mark.parametrize(
    ("text", "capacity"),
    [("{SEQ:1}", 9), ("{SEQ:6}", 999_999), ("{SEQ36:2}", 1295), ("{SEQ:12}", 10**12 - 1)],
)
def test_capacity_is_the_largest_sequence_number(text: str, capacity: int) -> None:
    made = pattern(text)
    assert made.capacity() == capacity
    assert check_serial(made, made.format(capacity, ACME)).sequence == capacity
    with pytest.raises(InvalidInput, match=f"sequence overflow: .* holds up to {capacity}"):
        made.format(capacity + 1, ACME)


def test_generate_makes_consecutive_serials() -> None:
    made = pattern(REVISION_PATTERN)
    serials = made.generate(99_998, 2, ACME)
    assert serials == [made.format(99_998, ACME), made.format(99_999, ACME)]
    assert made.generate(5, 0, ACME) == []


def test_generate_is_all_or_nothing_on_overflow() -> None:
    with pytest.raises(InvalidInput, match="sequence number 100000 does not fit") as caught:
        pattern(REVISION_PATTERN).generate(99_998, 3, ACME)
    assert caught.value.extra["field"] == "seq"


@pytest.mark.parametrize(
    ("call", "message", "field"),
    [
        (lambda p: p.format(-1, ACME), "sequence number must be ≥ 0, got -1", "seq"),
        (lambda p: p.format(True, ACME), "must be a whole number, got True", "seq"),
        (lambda p: p.format("7", ACME), "must be a whole number, got '7'", "seq"),
        (lambda p: p.generate("1", 2, ACME), "must be a whole number, got '1'", "seq"),
        (lambda p: p.generate(1, -1, ACME), "count must be a whole number ≥ 0", "count"),
        (lambda p: p.generate(1, 2.0, ACME), "count must be a whole number ≥ 0", "count"),
        (lambda p: p.generate(1, MAX_BATCH + 1, ACME), f"more than {MAX_BATCH}", "count"),
        (lambda p: p.format(1, SerialContext(date=DAY)), "{CUST} needs the customer", "customer"),
        (lambda p: p.format(1, SerialContext(customer="ACME")), "{YY} needs the date", "date"),
        (
            lambda p: p.format(1, SerialContext(customer="AC ME", date=DAY)),
            "{CUST}: customer code 'AC ME' has ' '",
            "customer",
        ),
        (
            lambda p: p.format(1, SerialContext(customer="Ä", date=DAY)),
            "customer code 'Ä' has 'Ä'",
            "customer",
        ),
        (
            lambda p: p.format(1, SerialContext(customer="A" * 30, date=DAY)),
            f"is 42 characters, at most {MAX_LENGTH}: shorten the codes",
            "pattern",
        ),
    ],
)
def test_format_refuses_what_it_cannot_make(
    call: Callable[[SerialPattern], object], message: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        call(pattern(CUSTOMER_PATTERN))
    assert message in caught.value.detail
    assert caught.value.extra["field"] == field


def test_parse_keeps_the_parts_in_order() -> None:
    parts = pattern(REVISION_PATTERN).parts
    assert [(p.kind, p.text, p.width) for p in parts] == [
        (Kind.LITERAL, "OC-", 3),
        (Kind.CODE, "REV", None),
        (Kind.LITERAL, "-", 1),
        (Kind.SEQ, "SEQ", 5),
        (Kind.CHECK, "CHECK", 1),
    ]
    assert [p.label for p in parts] == ["'OC-'", "{REV}", "'-'", "{SEQ:5}", "{CHECK}"]
    assert pattern(REVISION_PATTERN).has_check
    assert not pattern("{SEQ:5}").has_check


# --- patterns: what they refuse ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "has no sequence field"),
        ("SN-", "has no sequence field"),
        ("{CUST}{CHECK}", "has no sequence field"),
        ("{SEQ:3}{SEQ:3}", "has 2 sequence fields"),
        ("{SEQ:3}{SEQ36:3}", "has 2 sequence fields"),
        ("{SEQ}", "{SEQ} needs a width"),
        ("{SEQ36}", "{SEQ36} needs a width"),
        ("{SEQ:}", "{SEQ:} needs a width"),
        ("{SEQ:x}", "{SEQ:x} needs a width"),
        ("{SEQ:-1}", "{SEQ:-1} needs a width"),
        ("{SEQ:٣}", "{SEQ:٣} needs a width"),  # an Arabic-Indic three is not a width
        ("{SEQ:0}", "{SEQ:0}: width 0 is out of range, 1 to 12"),
        ("{SEQ36:13}", "{SEQ36:13}: width 13 is out of range, 1 to 12"),
        ("{SEQ:6}{FOO}", "unknown field {FOO}"),
        ("{seq:6}", "unknown field {seq:6}"),
        ("{SEQ:6}{}", "unknown field {}"),
        ("{SEQ:6}{YY:2}", "{YY:2}: {YY} takes no width"),
        ("{SEQ:6}{CHECK:1}", "{CHECK:1}: {CHECK} takes no width"),
        ("{CHECK}{SEQ:6}", "{CHECK} must be the last"),
        ("{SEQ:6}{CHECK}-", "{CHECK} must be the last"),
        ("{SEQ:6}{CHECK}{CHECK}", "{CHECK} appears twice"),
        ("{YY}{YY}{SEQ:6}", "{YY} appears twice"),
        ("{CUST}-{CUST}{SEQ:6}", "{CUST} appears twice"),
        ("{YY}{YYYY}{SEQ:6}", "{YY} and {YYYY} both give the year"),
        ("{WW}{MM}{SEQ:6}", "{WW} and {MM}"),
        ("{WW}{DD}{SEQ:6}", "{WW} and {DD}"),
        ("{YY}{WW}{DDD}{SEQ:6}", "{WW} and {DDD}"),
        ("{CUST}{SEQ:6}{PROD}", "{SEQ:6} sits between two code fields"),
        ("{CUST}-{YY}-{REV}{SEQ:6}", "{YY} sits between two code fields"),
        ("X" * 35 + "{SEQ:6}", "makes serials longer than 40 characters"),
        ("{CUST}" + "X" * 34 + "{SEQ:6}", "makes serials longer than 40 characters"),
        ("{SEQ:6", "unmatched '{'"),
        ("{SEQ:6}}", "unmatched '}'"),
        ("SN {SEQ:6}", "serial pattern text 'SN ' has ' '"),
        ("sn-{SEQ:6}", "has 's'"),
        ("SN_{SEQ:6}", "has '_'"),
        ("SN*{SEQ:6}", "has '*'"),
        ("SN{{SEQ:6}}", "unmatched '{' in 'SN{'"),
    ],
)
def test_parse_names_what_is_wrong(text: str, message: str) -> None:
    assert message in refused(text)


def test_parse_refuses_what_is_not_text() -> None:
    with pytest.raises(InvalidInput, match="must be text, not int"):
        SerialPattern.parse(7)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "{SEQ:1}",
        "X" * 34 + "{SEQ:6}",
        "{CUST}" + "X" * 33 + "{SEQ:6}",
        "{CUST}-{PROD}-{SEQ:4}",  # two codes, numbers outside them: readable
        "{YYYY}{DDD}{SEQ36:12}{CHECK}",
        "{CUST}{PROD}{REV}{SEQ:2}",
    ],
)
def test_parse_accepts_valid_patterns(text: str) -> None:
    assert pattern(text).text == text


# --- reading serials back -----------------------------------------------------------------


def test_check_serial_returns_the_parts() -> None:
    serial = pattern(CUSTOMER_PATTERN).format(123, ACME)
    assert check_serial(pattern(CUSTOMER_PATTERN), serial) == SerialParts(
        serial, 123, {"YY": 26, "WW": 3}, {"CUST": "ACME"}
    )


@pytest.mark.parametrize(
    "typed",
    [
        "{s}",
        " {s} ",
        "{s}\r\n",
        "\t{s}\n",
        "]d1{s}",  # DataMatrix with symbology identifiers on
        "]C0 {s}\r",
        "{lower}",
    ],
)
def test_check_serial_normalises_what_a_scanner_sends(typed: str) -> None:
    serial = pattern(REVISION_PATTERN).format(42, ACME)
    scanned = typed.format(s=serial, lower=serial.lower())
    assert check_serial(pattern(REVISION_PATTERN), scanned).serial == serial
    assert normalize_serial(scanned) == serial


def test_check_serial_with_a_context_checks_the_codes() -> None:
    made = pattern(REVISION_PATTERN)
    serial = made.format(42, ACME)
    assert check_serial(made, serial, SerialContext(revision="b")).codes == {"REV": "B"}
    detail = rejected(serial, REVISION_PATTERN, SerialContext(revision="C"))
    assert "does not match pattern 'OC-{REV}-{SEQ:5}{CHECK}' for this customer" in detail


def test_codes_come_back_only_when_they_can_be_told_apart() -> None:
    made = pattern("{CUST}-{PROD}-{SEQ:4}")
    context = SerialContext(customer="A-B", product="C")
    serial = made.format(1, context)
    assert serial == "A-B-C-0001"
    assert check_serial(made, serial).codes == {}  # "A-B"/"C" or "A"/"B-C"?
    assert check_serial(made, serial, context).codes == {"CUST": "A-B", "PROD": "C"}


def test_a_separator_moved_between_codes_needs_the_context_to_be_caught() -> None:
    """The documented limit: the check character does not see separators, and two codes
    of free length can absorb a moved one. The context closes the gap."""
    made = pattern("{CUST}-{PROD}{SEQ:4}{CHECK}")
    context = SerialContext(customer="AB", product="CD")
    serial = made.format(12, context)
    moved = "A-BCD" + serial[5:]
    assert check_serial(made, moved).sequence == 12
    assert "does not match" in rejected(moved, made.text, context)


def test_a_pattern_without_check_reads_serials_without_one() -> None:
    assert check_serial(pattern("SN{SEQ:4}"), "sn0042").sequence == 42


@pytest.mark.parametrize(
    ("scan", "message"),
    [
        ("", "empty serial"),
        (" \r\n", "empty serial"),
        ("]d1", "empty serial"),
        ("ACME 2603-000001X", "has a character serials never contain: ' '"),
        ("ACME2603_000001X", "has a character serials never contain: '_'"),
        ("ACMEı2603", "has a character serials never contain: 'ı'"),  # upper() gives 'I'
        ("ACME2603-00000１X", "never contain: '１'"),  # a full-width digit
        ("A" * 41, "41 characters, at most 40: two scans run together?"),
        ("ACME2603-00001X", "does not match pattern '{CUST}{YY}{WW}-{SEQ:6}{CHECK}'"),
        ("ACME2603000001X", "does not match pattern"),
        ("ACME2603-00000AX", "does not match pattern"),
        ("2603-000001X", "does not match pattern"),
        ("ACME2603-000001-", "does not match pattern"),
    ],
)
def test_check_serial_says_what_is_wrong(scan: str, message: str) -> None:
    detail = rejected(scan)
    assert message in detail


def test_check_serial_says_a_bad_check_character_is_a_typo() -> None:
    serial = pattern(CUSTOMER_PATTERN).format(1, ACME)
    typo = serial[:-2] + "2" + serial[-1]
    assert rejected(typo) == f"{typo} has a bad check character: mistyped?"


@pytest.mark.parametrize(
    ("text", "fields", "message"),
    [
        ("{YY}{WW}{SEQ:1}", "26540", "{WW} is 54, not 1 to 53"),
        ("{YY}{WW}{SEQ:1}", "26000", "{WW} is 00, not 1 to 53"),
        ("{YYYY}{WW}{SEQ:1}", "2025530", "not a real date ({YYYY}=2025, {WW}=53)"),
        ("{YY}{MM}{DD}{SEQ:1}", "2613010", "{MM} is 13, not 1 to 12"),
        ("{YY}{MM}{DD}{SEQ:1}", "2601320", "{DD} is 32, not 1 to 31"),
        ("{YY}{MM}{DD}{SEQ:1}", "2602300", "not a real date"),
        ("{YYYY}{MM}{DD}{SEQ:1}", "202602290", "not a real date"),
        ("{YY}{DDD}{SEQ:1}", "263670", "{DDD} is 367, not 1 to 366"),
        ("{YY}{DDD}{SEQ:1}", "260000", "{DDD} is 000, not 1 to 366"),
        ("{YYYY}{DDD}{SEQ:1}", "20263660", "not a real date"),
    ],
)
def test_check_serial_refuses_dates_that_do_not_exist(text: str, fields: str, message: str) -> None:
    assert message in rejected(fields, text)


@pytest.mark.parametrize(
    ("text", "fields", "dates"),
    [
        ("{YYYY}{WW}{SEQ:1}", "2020530", {"YYYY": 2020, "WW": 53}),
        ("{YY}{MM}{DD}{SEQ:1}", "2602290", {"YY": 26, "MM": 2, "DD": 29}),  # century unknown
        ("{YYYY}{DDD}{SEQ:1}", "20243660", {"YYYY": 2024, "DDD": 366}),
        ("{YY}{DDD}{SEQ:1}", "263660", {"YY": 26, "DDD": 366}),
    ],
)
def test_check_serial_accepts_dates_that_may_exist(
    text: str, fields: str, dates: dict[str, int]
) -> None:
    assert check_serial(pattern(text), fields).dates == dates


def test_check_serial_refuses_what_is_not_text() -> None:
    with pytest.raises(InvalidInput, match="serial must be text, not bytes"):
        check_serial(pattern(CUSTOMER_PATTERN), b"ACME")  # type: ignore[arg-type]


# --- properties -----------------------------------------------------------------------------

CODE = st.text(SERIAL_CHARACTERS, min_size=1, max_size=6)
CONTEXTS = st.builds(
    SerialContext,
    customer=CODE,
    product=CODE,
    revision=CODE,
    date=st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31)),
)
LITERALS = st.text(SERIAL_CHARACTERS, min_size=1, max_size=4)
FIELDS = st.sampled_from(["{CUST}", "{PROD}", "{REV}", "{YY}", "{YYYY}", "{WW}", "{DDD}"])
FIELDS |= st.sampled_from(["{MM}", "{DD}"])
SEQS = st.builds("{{{}:{}}}".format, st.sampled_from(["SEQ", "SEQ36"]), st.integers(1, 12))


@st.composite
def patterns(draw: st.DrawFn, *, codes: bool = True) -> SerialPattern:
    pieces = draw(st.lists(FIELDS | LITERALS, max_size=5))
    pieces.insert(draw(st.integers(0, len(pieces))), draw(SEQS))
    text = "".join(pieces) + draw(st.sampled_from(["", "{CHECK}"]))
    try:
        made = SerialPattern.parse(text)
    except InvalidInput:
        assume(False)
        raise
    assume(codes or all(part.kind is not Kind.CODE for part in made.parts))
    return made


def made(
    data: st.DataObject, made_pattern: SerialPattern, context: SerialContext
) -> tuple[int, str]:
    seq = data.draw(st.integers(0, made_pattern.capacity()))
    try:
        return seq, made_pattern.format(seq, context)
    except InvalidInput as error:  # codes too long for this pattern
        assume("at most 40" not in error.detail)
        raise


def expected_dates(made_pattern: SerialPattern, day: dt.date) -> dict[str, int]:
    names = {part.text for part in made_pattern.parts if part.kind is Kind.DATE}
    year = day.isocalendar().year if "WW" in names else day.year
    values = {
        "YYYY": year,
        "YY": year % 100,
        "WW": day.isocalendar().week,
        "DDD": day.timetuple().tm_yday,
        "MM": day.month,
        "DD": day.day,
    }
    return {name: value for name, value in values.items() if name in names}


@FUZZ
@given(st.data(), patterns(), CONTEXTS, st.booleans())
def test_every_made_serial_reads_back_to_its_parts(
    data: st.DataObject, made_pattern: SerialPattern, context: SerialContext, known: bool
) -> None:
    seq, serial = made(data, made_pattern, context)
    assert len(serial) <= MAX_LENGTH
    assert set(serial) <= set(SERIAL_CHARACTERS)
    parts = check_serial(made_pattern, serial, context if known else None)
    assert parts.serial == serial
    assert parts.sequence == seq
    assert parts.dates == expected_dates(made_pattern, context.date or DAY)
    names = [part.text for part in made_pattern.parts if part.kind is Kind.CODE]
    if known or len(names) == 1:
        wanted = {"CUST": context.customer, "PROD": context.product, "REV": context.revision}
        assert parts.codes == {name: wanted[name] for name in names}


@FUZZ
@given(patterns(), CONTEXTS, st.integers(0, 10**6), st.integers(1, 50))
def test_generated_serials_are_distinct_and_sort_by_sequence(
    made_pattern: SerialPattern, context: SerialContext, first: int, count: int
) -> None:
    first %= made_pattern.capacity() + 1
    count = min(count, made_pattern.capacity() - first + 1)
    try:
        serials = made_pattern.generate(first, count, context)
    except InvalidInput as error:
        assume("at most 40" not in error.detail)
        raise
    assert len(serials) == count
    assert serials[0] == made_pattern.format(first, context)
    # Only the sequence field changes, and its digits sort as its numbers (0-9 before A-Z).
    without_check = [s[:-1] if made_pattern.has_check else s for s in serials]
    assert without_check == sorted(set(without_check))


def changes(serial: str) -> list[tuple[str, tuple[str, str] | None]]:
    """Every single substitution (no pair) and every swap of neighbours (with the pair)."""
    substituted: list[tuple[str, tuple[str, str] | None]] = [
        (serial[:index] + other + serial[index + 1 :], None)
        for index, other in product(range(len(serial)), SERIAL_CHARACTERS)
        if other != serial[index]
    ]
    swapped: list[tuple[str, tuple[str, str] | None]] = [
        (
            serial[:index] + serial[index + 1] + serial[index] + serial[index + 2 :],
            (serial[index], serial[index + 1]),
        )
        for index in range(len(serial) - 1)
        if serial[index] != serial[index + 1]
    ]
    return substituted + swapped


def assert_caught(made_pattern: SerialPattern, serial: str, context: SerialContext | None) -> None:
    for changed, pair in changes(serial):
        try:
            check_serial(made_pattern, changed, context)
        except InvalidInput:
            continue
        assert pair is not None, f"substitution {serial} -> {changed} not caught"
        assert alphabet_neighbours(*pair), f"swap {serial} -> {changed} not caught"


@settings(FUZZ, max_examples=100)
@given(st.data(), patterns(), CONTEXTS)
def test_with_the_context_every_typo_and_swap_is_caught(
    data: st.DataObject, made_pattern: SerialPattern, context: SerialContext
) -> None:
    """Every substitution (separators and codes included), every swap but the blind spot."""
    assume(made_pattern.has_check)
    _, serial = made(data, made_pattern, context)
    assert_caught(made_pattern, serial, context)


@settings(FUZZ, max_examples=100)
@given(st.data(), patterns(codes=False), CONTEXTS)
def test_without_codes_every_typo_and_swap_is_caught_without_a_context(
    data: st.DataObject, made_pattern: SerialPattern, context: SerialContext
) -> None:
    assume(made_pattern.has_check)
    _, serial = made(data, made_pattern, context)
    assert_caught(made_pattern, serial, None)


@FUZZ
@given(st.text(SERIAL_CHARACTERS + "{}:abc 0123456789", max_size=30))
def test_parse_accepts_or_refuses_any_text_with_invalid_input(text: str) -> None:
    with suppress(InvalidInput):
        SerialPattern.parse(text)


@FUZZ
@given(st.text(max_size=50))
def test_check_serial_answers_any_text_with_parts_or_invalid_input(text: str) -> None:
    try:
        parts = check_serial(pattern(CUSTOMER_PATTERN), text)
    except InvalidInput:
        return
    assert has_valid_check(parts.serial)
