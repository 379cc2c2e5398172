"""Small counts in published breakdowns (R18: public pages show counts, not people).

A count of 1 or 2 in a breakdown (ballots of a territory, one option's votes in a territory,
appeals on a topic in a district) can point at a person: whoever knows who lives in a hamlet
learns how they voted. Every public breakdown and its exports therefore go through this one
helper:

* a cell under ``SMALL`` (1 or 2) is shown as "fewer than 3" (primary suppression);
* where the breakdown's total is published, one hidden cell could be worked out as the total
  minus the others, so another cell is hidden as well ("not shown"), the smallest other one
  that is not zero; more are hidden while the hidden cells' values could still be pinned down
  from their sum (see ``_pinned``); a line that cannot be protected that way shows none of its
  cells;
* a line whose own total is under ``SMALL`` shows none of its cells, not even its zeros
  (``[0, 1]`` with a total of "fewer than 3" still says which option the hamlet chose);
* a table (territories × options) is protected along its rows and its columns, again and
  again, until neither adds a hidden cell, since the options' totals are published too.

A zero is shown: no one is no one. The helper only decides what is shown; it never changes the
totals that are published beside a breakdown.
"""

from dataclasses import dataclass

from django.utils.translation import gettext

SMALL = 3  # counts from 1 to SMALL − 1 are not shown publicly

_SMALL = "small"  # under SMALL: "fewer than 3"
_OTHER = "other"  # hidden so that a small one cannot be worked out: "not shown"


@dataclass(frozen=True)
class Cell:
    """One published count: ``value`` is None when it is hidden; ``str()`` is its text."""

    value: int | None
    reason: str = ""

    @property
    def hidden(self):
        return self.value is None

    @property
    def bar(self):
        """The length a chart may draw: nothing for a hidden count."""
        return self.value or 0

    def __str__(self):
        if self.reason == _SMALL:
            return gettext("fewer than 3")
        if self.reason:
            return gettext("not shown")
        return str(self.value)


def is_small(n):
    return 0 < n < SMALL


def cell(n):
    """A count on its own (no published total it adds up to)."""
    return Cell(None, _SMALL) if is_small(n) else Cell(n)


def shown(n):
    """The public text of a count on its own: none is no one, but 1 or 2 could be a person."""
    return str(cell(n))


def _pinned(values, hidden):
    """Whether a reader who knows the line's total (so the sum of its hidden cells) and the
    reasons shown could tell the value of a small hidden cell. Small cells are 1 or 2; the
    others are, to the reader, 0 or at least ``SMALL``."""
    small = [i for i, why in hidden.items() if why == _SMALL]
    if not small:
        return False
    p, q = len(small), len(hidden) - len(small)
    total = sum(values[i] for i in hidden)
    feasible = [x for x in range(p, 2 * p + 1) if (total - x == 0) or (q and total - x >= SMALL)]
    if len(feasible) != 1:
        return len(feasible) == 0  # none: the reader knows something is off; treat as pinned
    return p == 1 or feasible[0] in (p, 2 * p)


def _protect(values, hidden):
    """Hide more cells of a line with a published total until no small one can be worked out;
    returns False when even hiding every cell does not help."""
    while _pinned(values, hidden):
        visible = [i for i in range(len(values)) if i not in hidden]
        candidates = [i for i in visible if values[i]] or visible
        if not candidates:
            return False
        hidden[min(candidates, key=lambda i: (values[i], i))] = _OTHER
    return True


def _initial(values):
    hidden = {i: _SMALL for i, v in enumerate(values) if is_small(v)}
    if is_small(sum(values)):  # the line itself is small: none of it, zeros included
        hidden.update({i: hidden.get(i, _OTHER) for i in range(len(values))})
    return hidden


def _unprotectable(values, hidden):
    """Every cell hidden, and all as "not shown", so that no reason narrows them down."""
    hidden.update(dict.fromkeys(range(len(values)), _OTHER))


def _cells(values, hidden):
    return [Cell(None, hidden[i]) if i in hidden else Cell(v) for i, v in enumerate(values)]


def line(values, *, total_published=True):
    """The cells of one breakdown (counts per territory, say). ``total_published``: the
    counts' sum is shown elsewhere, so one hidden cell alone could be worked out."""
    values = [int(v or 0) for v in values]
    hidden = _initial(values)
    if total_published and not _protect(values, hidden):
        _unprotectable(values, hidden)
    return _cells(values, hidden)


def table(rows):
    """A breakdown in two directions (territories × options): rows of counts whose row sums
    and column sums are published. Returns ``(cells, row_totals)``: the rows as ``Cell``s and
    each row's total as a ``Cell`` (the totals are themselves a breakdown of the grand total).
    """
    rows = [[int(v or 0) for v in row] for row in rows]
    if not rows:
        return [], []
    width = len(rows[0])
    totals = [sum(row) for row in rows]
    total_cells = line(totals)
    hidden = [_initial(row) for row in rows]
    for r, total in enumerate(total_cells):
        if total.hidden and not is_small(totals[r]):  # hidden beside a small one: so is its row
            hidden[r].update({i: hidden[r].get(i, _OTHER) for i in range(width)})
    changed = True
    while changed:
        changed = False
        for r, row in enumerate(rows):
            if total_cells[r].hidden:
                continue  # the row's total is not shown: it gives nothing away
            before = len(hidden[r])
            if not _protect(row, hidden[r]):
                _unprotectable(row, hidden[r])
            changed |= len(hidden[r]) != before
        for c in range(width):
            column = [row[c] for row in rows]
            in_column = {r: hidden[r][c] for r in range(len(rows)) if c in hidden[r]}
            before = len(in_column)
            if not _protect(column, in_column):
                _unprotectable(column, in_column)
            for r, why in in_column.items():
                hidden[r][c] = why
            changed |= len(in_column) != before
    return [_cells(row, hidden[r]) for r, row in enumerate(rows)], total_cells
