"""Enrolling people from photos: single files, a list, or a folder of per-person sub-folders.

Every photo is its own transaction: a problem with one photo (no face, several
faces, too small, unreadable) is reported and the others still go in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from ..io import ImageLoadError, is_image_path, load_image, printable
from ..i18n import _
from ..jobs import Job, Progress
from .db import FaceDatabase, NewSample
from .pipeline import MIN_FACE_SIZE, Face, FaceError, FacePipeline, SeveralFaces

__all__ = ["EnrollReport", "to_sample", "enroll_face", "enroll_images", "import_folder", "folder_people"]


@dataclass
class EnrollReport:
    """Outcome of enrolling photos.

    added: (person, source, sample id); problems: (source, message);
    several: (person, source, image, faces) -- photos with several faces, for the user to pick one.
    """

    added: list[tuple[str, str, int]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    several: list[tuple[str, str, np.ndarray, list[Face]]] = field(default_factory=list)

    def summary(self) -> str:
        people = len({a[0] for a in self.added})
        # Whole clauses, each translated on its own; the separator is translated too.
        parts = [_("{n} sample(s) enrolled for {people} person(s)").format(n=len(self.added), people=people)]
        if self.problems:
            parts.append(_("{n} photo(s) skipped").format(n=len(self.problems)))
        if self.several:
            parts.append(_("{n} photo(s) with several faces wait for a choice").format(n=len(self.several)))
        return _("; ").join(parts)


def to_sample(face: Face, model_id: str, source: str = "") -> NewSample:
    """A database sample from an analysed face."""
    return NewSample(
        face.descriptor, face.chip, model_id=model_id, source=source, box=tuple(float(v) for v in face.box),
        size=face.quality.size, sharpness=face.quality.sharpness,
    )


def enroll_face(db: FaceDatabase, pipeline: FacePipeline, name: str, face: Face, source: str = "") -> int:
    """Store one analysed face for ``name``; returns the sample id (committed)."""
    return db.add_sample(name, to_sample(face, pipeline.model_id, source))


def enroll_images(
    db: FaceDatabase,
    pipeline: FacePipeline,
    name: str,
    paths: Sequence[str | os.PathLike],
    min_size: float = MIN_FACE_SIZE,
    pick: tuple[float, float] | None = None,
) -> Job[EnrollReport]:
    """A job enrolling each photo's single face for ``name``.

    ``pick``, an (x, y) point in image pixels, chooses the face whose box holds
    it in photos with several faces.
    """
    report = EnrollReport()
    for k, path in enumerate(paths):
        seen = _enroll_one(db, pipeline, name, Path(path), min_size, report, pick)
        yield Progress((k + 1) / len(paths), _("{name}: {done}/{total} photos").format(name=name, done=k + 1, total=len(paths)), partial=seen)
    return report


def _enroll_one(
    db: FaceDatabase, pipeline: FacePipeline, name: str, path: Path, min_size: float, report: EnrollReport,
    pick: tuple[float, float] | None = None,
) -> tuple[str, np.ndarray | None, list[Face], str]:
    """Enroll one photo; returns (source, image, faces, message) for a preview."""
    source = printable(str(path))  # stored as UTF-8 text: a name that is not valid UTF-8 is shown with U+FFFD
    image = None
    try:
        image = load_image(path)
        face = pipeline.enrollment_face(image, label=path.name, pick=pick, min_size=min_size)
    except SeveralFaces as exc:
        report.several.append((name, source, image, exc.faces))
        report.problems.append((source, str(exc)))
        return source, image, exc.faces, str(exc)
    except (ImageLoadError, FaceError) as exc:
        report.problems.append((source, str(exc)))
        return source, image, [], str(exc)
    report.added.append((name, source, enroll_face(db, pipeline, name, face, source)))
    return source, image, [face], _("Enrolled {name} from {file}").format(name=name, file=printable(path.name))


def folder_people(root: str | os.PathLike) -> dict[str, list[Path]]:
    """``root/<person>/<photos>`` → {person: photos}, sorted; people without photos are left out."""
    root = Path(root)
    if not root.is_dir():
        raise NotADirectoryError(_("{folder} is not a folder").format(folder=root))
    people = {}
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        photos = sorted(p for p in sub.iterdir() if p.is_file() and is_image_path(p))
        if photos:
            people[printable(sub.name)] = photos  # a person's name is text: bytes that are not UTF-8 become U+FFFD
    return people


def import_folder(db: FaceDatabase, pipeline: FacePipeline, root: str | os.PathLike, min_size: float = MIN_FACE_SIZE) -> Job[EnrollReport]:
    """A job enrolling a folder with one sub-folder per person (the sub-folder's name is the person's)."""
    people = folder_people(root)
    if not people:
        raise FileNotFoundError(_("{folder} has no sub-folders with photos (expected {example})").format(
            folder=root, example=Path(root) / _("<person name>") / _("<photo>.jpg")))
    total = sum(len(v) for v in people.values())
    report = EnrollReport()
    done = 0
    for name, photos in people.items():
        for path in photos:
            seen = _enroll_one(db, pipeline, name, path, min_size, report)
            done += 1
            yield Progress(done / total, _("{name}: {file} ({done}/{total})").format(name=name, file=path.name, done=done, total=total), partial=seen)
    return report
