"""lii-check: does the text of a CQC 'Learning, improvement and innovation' section support its score?"""
__version__ = "0.1.0"
