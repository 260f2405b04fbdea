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
