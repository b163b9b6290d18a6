"""Print batches: the day's posted letters merged for the envelopes, and when they are built."""
