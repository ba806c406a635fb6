"""Indicators: the offender's identifiers, accounts, addresses, payment references and amounts."""

from sxr.analysis.indicators.extract import Indicator, extract_indicators

__all__ = ["Indicator", "extract_indicators"]
