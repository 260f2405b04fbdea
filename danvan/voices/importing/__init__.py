"""Import voices from officers' spreadsheets (XLSX or CSV), row by row, all or nothing.

The officer's file is read with ``danvan.lib.tables`` (encodings, disguised files); every cell is
turned into a value or an error on its row; then every row goes through the intake steps of
``voice_submit`` (``voices.intake``), in bulk, or through the caller's own service (e.g. a voter
contact session's), inside one transaction. When any row has an error, nothing is kept, unless
the officer asked to import only the valid rows. The service is the last word on validity: its
``ValidationError`` becomes the row's errors.

- ``columns``: the columns officers write and how a cell is read (kinds, dates, unit codes).
- ``parse``: the rows of a file (``parse_voice_file``) and their checks (``voices_validate``).
- ``plan``: the bulk path's plan of each row's records, through the intake steps.
- ``write``: the import of a whole file (``voices_import``) and the batched writes.
- ``jobs``: large files, imported in the background with progress, heartbeat, retry and reaper.
- ``files``: the templates an officer downloads.
"""
