"""CMRC Desktop: offline scoring, signing and consolidation for expert panels that
evaluate clinical medical research centres (临床医学研究中心)."""

__version__ = "0.1.0"
