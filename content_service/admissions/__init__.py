"""Admissions: grade-10 allocation and grade-1/6 residence-based assignment."""
