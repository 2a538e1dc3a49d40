# SPDX-License-Identifier: MIT
"""Status codes become exceptions of their own class, with the library's
diagnostics."""
from __future__ import annotations

import pytest

import otaprio
from otaprio import errors


def test_each_code_raises_its_class() -> None:
    for status, cls in errors.BY_STATUS.items():
        with pytest.raises(cls) as caught:
            errors.check(int(status))
        assert isinstance(caught.value, otaprio.Error)
        assert caught.value.status == status
        assert caught.value.message == otaprio.strerror(status)
        assert caught.value.field == "" and caught.value.index == -1
    errors.check(0)


def test_an_unknown_code_raises_the_base_class() -> None:
    with pytest.raises(otaprio.Error) as caught:
        errors.check(-999)
    assert type(caught.value) is otaprio.Error


def test_the_diagnostics_of_a_batch_call() -> None:
    # Decreasing offsets: the library names the field and the index.
    from otaprio import _arrays
    from otaprio._ffi import lib
    import numpy as np
    offsets = np.array([0, 3, 1], np.uint64)
    out = np.empty(2, np.uint64)
    diag = errors.new_diag()
    status = lib.otaprio_key_derive_batch(
        b"abc", _arrays.pointer(offsets), 2, _arrays.pointer(out), diag)
    error = errors.error_for(status, diag)
    assert isinstance(error, otaprio.InvalidArgumentError)
    assert error.field == "offsets" and error.index >= 1
    assert str(error).startswith("offsets[%d]: " % error.index)


def test_the_library_path_is_reported() -> None:
    assert "otaprio" in otaprio.library_path
