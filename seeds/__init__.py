"""Data to load into gridreg, all in the workbook format of `seeds.workbook`.

- `seeds/cuntan/`: the Cuntan scenario (DESIGN section 4) as a committed CSV workbook, rebuilt
  byte-identically by `python -m seeds.cuntan_build`.
- `seeds.synthetic.generate(out_dir, scale, seed, progress)`: deterministic synthetic workbooks
  at `tiny`, `subdistrict` or `district` scale.
"""

from pathlib import Path

CUNTAN = Path(__file__).resolve().parent / "cuntan"
"""The Cuntan workbook, wherever gridreg is run from."""
