"""The widget on the authority's website (issue 13, points 4 and 5): a script tag or an iframe
that shows, inside the authority's own page, "report a problem", the latest public problems of
its territory, "track my appeal", the published answers and the reception schedule. The rows
live in ``integrations.models.widget``; reads in ``selectors``, pages in ``views``."""
