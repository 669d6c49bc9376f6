"""The Cuntan scenario workbook (CSV files beside this module); see README.md for provenance."""

from pathlib import Path

WORKBOOK_DIR = Path(__file__).resolve().parent
