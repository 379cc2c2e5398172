"""The one helper for small counts in published breakdowns (edem.core.disclosure)."""

import itertools

from django.utils import translation

from edem.core import disclosure


def _texts(cells):
    with translation.override("en"):
        return [str(c) for c in cells]


def _values(cells):
    return [c.value for c in cells]


def test_R18_a_count_of_1_or_2_is_fewer_than_3_and_zero_is_shown():
    assert _texts(disclosure.line([0, 7, 9], total_published=False)) == ["0", "7", "9"]
    assert _texts(disclosure.line([1, 7, 2], total_published=False)) == [
        "fewer than 3",
        "7",
        "fewer than 3",
    ]
    with translation.override("en"):
        assert disclosure.shown(2) == "fewer than 3" and disclosure.shown(3) == "3"


def test_R18_one_hidden_cell_is_not_left_derivable_from_the_total():
    cells = disclosure.line([5, 7, 1])
    assert _values(cells) == [None, 7, None]  # the smallest other cell goes too
    assert _texts(cells) == ["not shown", "7", "fewer than 3"]
    assert _values(disclosure.line([4, 4])) == [4, 4]


def test_R18_a_line_whose_total_is_small_shows_none_of_its_cells():
    # "Хутір: [0, 1], 1": even the zero would tell the hamlet's choice
    assert _values(disclosure.line([0, 1])) == [None, None]


def _derivable(values, cells):
    """Brute force: is some small hidden cell's value the same in every assignment of the
    hidden cells that agrees with the total and with what is shown?"""
    hidden = [i for i, c in enumerate(cells) if c.hidden]
    total = sum(values)
    shown = sum(c.value for c in cells if not c.hidden)
    solutions = []
    for guess in itertools.product(range(total + 1), repeat=len(hidden)):
        ok = sum(guess) + shown == total
        for i, g in zip(hidden, guess, strict=True):
            if cells[i].reason == "small" and g not in (1, 2):
                ok = False
            if cells[i].reason == "other" and g in (1, 2):
                ok = False
        if ok:
            solutions.append(guess)
    for k, i in enumerate(hidden):
        if disclosure.is_small(values[i]) and len({s[k] for s in solutions}) == 1:
            return True
    return False


def test_R18_no_small_cell_of_a_line_can_be_worked_out_exhaustively():
    for values in itertools.product(range(0, 6), repeat=3):
        cells = disclosure.line(list(values))
        for value, c in zip(values, cells, strict=True):
            assert c.hidden or not disclosure.is_small(value)
        if sum(values) >= disclosure.SMALL:
            assert not _derivable(list(values), cells), values


def test_R18_a_table_is_protected_along_rows_and_columns():
    rows = [[1, 0], [0, 2], [3, 2], [4, 0], [6, 5]]
    cells, totals = disclosure.table(rows)
    for row, line in zip(rows, cells, strict=True):
        for value, c in zip(row, line, strict=True):
            assert c.hidden or not disclosure.is_small(value)
    for c in range(2):  # no small cell follows from a column's published total
        column = [row[c] for row in rows]
        assert not _derivable(column, [line[c] for line in cells]), c
    for row, line, total in zip(rows, cells, totals, strict=True):
        if not total.hidden:  # nor from a row's
            assert not _derivable(row, line), row
    assert _values(totals)[-1] == 11
