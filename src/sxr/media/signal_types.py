"""The one registry of media hash types: add a type here (a `MediaHashType` subclass) and the watchlist,
the platform API's schema, CSV import and export, `sxr hash` and `sxr scan` all take it.

Perceptual types come first: where a file has several hashes, its perceptual one is listed first.
"""

from __future__ import annotations

from sxr.media.exact import Md5Signal, Sha256Signal
from sxr.media.pdq import PdqSignal
from sxr.media.signal import SignalRegistry
from sxr.media.vpdq import VpdqSignal

SIGNAL_TYPES = SignalRegistry([PdqSignal, VpdqSignal, Md5Signal, Sha256Signal])
