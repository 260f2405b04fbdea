from danvan.voices import intake, tracking
from danvan.voices.tracking import new_tracking_code, normalize_tracking_code


def test_a_new_code_reads_back_as_itself():
    for _ in range(200):
        code = new_tracking_code()
        assert normalize_tracking_code(code) == code


def test_a_code_typed_loosely_is_understood():
    code = new_tracking_code()
    typed = code.lower().replace("-", " ")
    assert normalize_tracking_code(typed) == code


def test_a_mistyped_code_is_recognised_as_impossible():
    code = new_tracking_code()
    body = code.replace("-", "")[2:12]
    wrong = body[:-1] + ("0" if body[-1] != "0" else "1")
    assert normalize_tracking_code(f"DV{wrong}{code[-1]}") is None


def test_garbage_is_not_a_code():
    for raw in ["", "DV", "hello", "DV-1234", "<script>", "DV-ABCD-EFGH-!"]:
        assert normalize_tracking_code(raw) is None


def _body_with_check(symbol: str) -> str:
    """A body whose mod-37 check character is ``symbol``, found by counting up."""
    for n in range(10_000):
        body = f"{n:010d}"
        if tracking._check_char(body) == symbol:
            return body
    raise AssertionError(symbol)


def test_new_codes_never_end_in_a_symbol_that_cannot_be_read_over_the_phone():
    # 6,000 codes (the import uses the same maker): with the old 37 check characters, 4 in 37
    # ended in * ~ $ =.
    assert intake.new_tracking_code is new_tracking_code
    codes = [new_tracking_code() for _ in range(6000)]
    assert {code[-1] for code in codes} <= set(tracking._ALPHABET + "U")
    assert all(normalize_tracking_code(code) == code for code in codes)


def test_codes_given_earlier_with_a_symbol_still_read_back():
    for symbol in "*~$=":
        body = _body_with_check(symbol)
        code = f"DV-{body[:5]}-{body[5:]}-{symbol}"
        assert normalize_tracking_code(code.lower()) == code


def test_the_check_character_catches_two_neighbours_swapped():
    code = new_tracking_code()
    body = code.replace("-", "")[2:12]
    for i in range(9):
        if body[i] != body[i + 1]:
            swapped = body[:i] + body[i + 1] + body[i] + body[i + 2 :]
            assert normalize_tracking_code(f"DV{swapped}{code[-1]}") is None
