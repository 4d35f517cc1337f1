"""Classifiers: pure functions from extracted facts to a :class:`linkcrawl.verdict.Verdict`."""
