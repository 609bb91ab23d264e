"""Documents drawn from plain records: the CPD transcript as PDF."""
