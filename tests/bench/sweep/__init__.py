"""The hostile-input sweep's parts; ``tests/bench/hostile_sweep.py`` is the entry point.

``tests/bench`` is not a package: the entry script's own folder is first on ``sys.path`` when it runs as
``python tests/bench/hostile_sweep.py``, so this folder imports as ``sweep`` (the script also puts that folder
there itself, so that importing the script from elsewhere works too). The modules import each other relatively.

- ``cases``: the types ``Case`` and ``Result``, the limits every run gets, and the repository root.
- ``checks``: the after-run checks a case can carry (no leftover files, whole PNGs, victim file untouched,
  damaged stored file kept aside).
- ``inputs``: the hostile inputs (images, model files, graph payloads, face databases).
- ``cases_core``: the cases over those inputs, signals, pipes and the full disk.
- ``cases_state``: damaged stored state, folder runs, the small ones and damaged face databases.
- ``runner``: runs one case in a child process and judges it.
"""
