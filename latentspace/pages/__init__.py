"""What people read: ``page_parts`` (what every page shares), ``report`` (the page), ``report_claims`` and
``report_sections`` (its parts), ``plotting``, ``comparison`` (side-by-side figures), ``explorer`` (the
explorer's data); the pages themselves are Jinja templates in templates/ (every value escaped unless
the code marks it as markup)."""
