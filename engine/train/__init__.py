"""Small models trained inside ConvStudio, offline, in seconds: LeNet-5 on the
bundled digits (:mod:`.digits`) and the plain-versus-residual experiment (:mod:`.residual`)."""

__all__: list[str] = []
