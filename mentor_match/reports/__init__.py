"""Reports drawn from plain records that the services compute: charts, tables, CSV files.

Pure: no Flask, no ORM, no `mentor_match.models`; the services hand over plain data.
"""
