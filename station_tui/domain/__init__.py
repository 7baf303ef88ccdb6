"""Pure domain: no I/O beyond reading reference files, no Textual."""
