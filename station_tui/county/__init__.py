"""The county office's side of the nightly export: load every station's folders into one database (SQLite or
PostgreSQL), follow each station's sequences, compute the indicators across stations, write the semiannual report.
No Textual here (the county screen lives in screens/county.py)."""
