"""Use cases: one function each, shared by the HTML pages, the API and the command line.

Services validate, change the session and flush; they never commit. The caller (a request
handler or a command) commits once, so every use case is one transaction.
"""
