"""The portal's date and number formats per language (``FORMAT_MODULE_PATH``): a date reads
"5 января 2027 г.", "5 січня 2027 р.", "5 January 2027"; short dates are day-first in every
language. Templates use ``|date`` with a format *name* (or no argument), never a pattern.

The first input format is ISO in every language: ``<input type="date">`` and
``datetime-local`` send and expect it. Django's own locale files fill in whatever is not set
here."""
