"""Sources: each module parses one kind of input into Documents / TrialRecords (parse is pure)."""
