"""Reports drawn from plain records that the services compute: the dashboard's charts, tables
and CSV files, and the CPD transcript as PDF.

No Flask, no ORM, no `mentor_match.models`: the services hand over plain data.
"""
