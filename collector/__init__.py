"""collector: the weekly receivables follow-up, on the owner's own workbook."""

__version__ = "0.1.0"
