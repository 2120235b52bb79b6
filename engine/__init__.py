"""ConvStudio engine: the GUI-free library behind the app.

Every module here is importable and scriptable without Qt. Heavy modules
import torch lazily where that keeps ``import engine`` cheap.
"""

__version__ = "0.1.0"
#: Marks this package as ConvStudio's: ``engine`` is a common name (see gui/conflicts.py).
__distribution__ = "convstudio"
__all__ = ["__version__", "__distribution__"]
