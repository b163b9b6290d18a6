# Benchmarks (bench/README.md, figures in docs/benchmarks.md). Included from the main Makefile
# (`-include mk/bench.mk`). Each prints its figures next to a baseline computed in the same run
# and exits non-zero if the baseline's summaries disagree with the domain's; nothing asserts a time.

.PHONY: bench bench-backfill bench-nightly bench-round-trips

bench: bench-backfill bench-nightly bench-round-trips

# (a) full-year backfill of one 1,000-student school vs one SQLite query
bench-backfill: setup
	$(BIN)/python -m bench.backfill

# (b) nightly increment for 20,000 students vs one SQLite query
bench-nightly: setup
	$(BIN)/python -m bench.nightly

# (c) table round trips per student for the nightly increment, on an in-memory Azurite
bench-round-trips: setup
	$(BIN)/python -m bench.round_trips
