"""ConvStudio engine: the GUI-free library behind the app.

Every module here is importable and scriptable without Qt. Heavy modules
import torch lazily where that keeps ``import engine`` cheap.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
