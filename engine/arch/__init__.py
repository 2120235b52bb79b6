"""Classic CNN architectures: the model zoo, layer summaries, block diagrams,
the 1x1 bottleneck calculator and opening user models (TorchScript / torch.export).

Modules: :mod:`.zoo`, :mod:`.summary`, :mod:`.diagram`, :mod:`.bottleneck`, :mod:`.user_model`.
"""

__all__: list[str] = []
