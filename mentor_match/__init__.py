"""mentor_match: mentorship and shadowing programmes for pharmacy technicians."""
