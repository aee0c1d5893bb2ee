"""What people read: ``page_parts`` (what every page shares), ``report`` (the page), ``report_claims`` and
``report_sections`` (its parts), ``plotting``, ``comparison`` (side-by-side figures), ``explorer`` (the
explorer's data)."""
