# Benchmarks (bench/README.md, figures in docs/benchmarks.md). Included from the main Makefile
# (`-include mk/bench.mk`). Each prints its figures next to a baseline computed in the same run
# and exits non-zero if the baseline's summaries disagree with the domain's; nothing asserts a time.

.PHONY: bench bench-backfill bench-nightly bench-round-trips bench-rules bench-scheduler bench-letters bench-letter-requests

bench: bench-backfill bench-nightly bench-round-trips bench-rules bench-scheduler bench-letters bench-letter-requests

# (a) full-year backfill of one 1,000-student school vs one SQLite query
bench-backfill: setup
	$(BIN)/python -m bench.backfill

# (b) nightly increment for 20,000 students vs one SQLite query
bench-nightly: setup
	$(BIN)/python -m bench.nightly

# (c) table round trips per student for the nightly increment, on an in-memory Azurite
bench-round-trips: setup
	$(BIN)/python -m bench.round_trips

# (d) the nightly rule evaluation (run_night) for 20,000 students vs one SQLite query
bench-rules: setup
	$(BIN)/python -m bench.rules

# (e) the nightly intervention scheduler on an in-memory Azurite: time and round trips per student
bench-scheduler: setup
	$(BIN)/python -m bench.scheduler

# (f) letters per second per core: England letter 1 with its chart, xhtml2pdf vs reportlab direct
bench-letters: setup
	$(BIN)/python -m bench.letters

# (h) storage requests per letter job (render, deliver) over a small school's replay, vs the
#     school-wide reads not shared
bench-letter-requests: setup
	$(BIN)/python -m bench.letter_requests
