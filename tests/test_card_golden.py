"""Golden images of the quick cards: one card, both sides, in every size, printed by ``rolebook cards`` and
rendered to PNG with pdftoppm, compared with the images in tests/golden/cards/ within a tolerance. A change
of layout shows as a failing test whose message points at the new image and the difference; look at them,
and when the change is meant, record the new images with

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_card_golden.py

and commit them, so the review shows the cards before and after.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from generator.render.card_content import SIZES

from .sitekit import REPO_ROOT, copy_project, rolebook

GOLDEN = REPO_ROOT / "tests" / "golden" / "cards"
ROLE = "support-team"
HEIGHT_PX = 600  # each image about this tall, whatever the paper: small cards get more dots per inch
LEVELS = 64  # a pixel differs when its grey level moves by more than this (anti-aliasing moves less)
TOLERANCE = 0.005  # the share of differing pixels let through: a moved line or word differs far more

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")


def _dpi(size: str) -> int:
    return round(HEIGHT_PX / (SIZES[size].height_mm / 25.4))


def _versions() -> dict[str, str]:
    """What draws the images: WeasyPrint lays the card out, Pango and the font set the text, poppler renders."""
    import weasyprint
    from weasyprint.text.ffi import pango

    poppler = subprocess.run(["pdftoppm", "-v"], capture_output=True, text=True, check=False).stderr
    font = subprocess.run(
        ["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True, check=False
    ).stdout
    return {
        "weasyprint": weasyprint.__version__,
        "pango": str(pango.pango_version()),
        "poppler": poppler.splitlines()[0] if poppler else "",
        "font": Path(font).name,
    }


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Every size's Support Team card with its back, as one PNG per side."""
    folder = tmp_path_factory.mktemp("golden-cards")
    project = copy_project(folder / "project")
    images: dict[str, list[Path]] = {}
    for size in SIZES:
        pdf = folder / f"{size}.pdf"
        result = rolebook("cards", "--size", size, "--back", "--role", ROLE, "-o", str(pdf), cwd=project)
        assert result.returncode == 0, result.stderr
        subprocess.run(
            ["pdftoppm", "-gray", "-png", "-r", str(_dpi(size)), str(pdf), str(folder / size)],
            check=True,
            timeout=120,
        )
        images[size] = sorted(folder.glob(f"{size}-*.png"))
    return images


def _differing(expected: Image.Image, actual: Image.Image) -> tuple[float, Image.Image]:
    difference = ImageChops.difference(expected.convert("L"), actual.convert("L"))
    marked = difference.point(lambda level: 255 if level > LEVELS else 0)
    histogram = marked.histogram()
    return histogram[255] / (expected.width * expected.height), marked


@pytest.mark.parametrize("size", list(SIZES))
def test_each_card_size_looks_as_recorded(rendered: dict[str, list[Path]], size: str) -> None:
    faces = rendered[size]
    assert len(faces) == 2  # front and back
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for side, image in zip(("front", "back"), faces, strict=True):
            shutil.copyfile(image, GOLDEN / f"{size}-{side}.png")
        (GOLDEN / "versions.json").write_text(
            json.dumps(_versions(), indent=1, sort_keys=True) + "\n", "utf-8"
        )
        return
    recorded = json.loads((GOLDEN / "versions.json").read_text("utf-8"))
    for side, image in zip(("front", "back"), faces, strict=True):
        expected, actual = Image.open(GOLDEN / f"{size}-{side}.png"), Image.open(image)
        assert actual.size == expected.size, (size, side)
        share, marked = _differing(expected, actual)
        if share > TOLERANCE:
            marked.save(image.with_name(f"{size}-{side}-difference.png"))
        assert share <= TOLERANCE, (
            f"the {side} of the {size} card differs from tests/golden/cards/{size}-{side}.png in"
            f" {share:.2%} of its pixels (new image: {image}, differences in white beside it); recorded with"
            f" {recorded}, drawn here with {_versions()}"
        )


def test_the_golden_images_would_see_a_moved_line(rendered: dict[str, list[Path]]) -> None:
    """The tolerance is tight enough: the A6 front moved down by one line of text differs by more."""
    expected = Image.open(GOLDEN / "a6-front.png").convert("L")
    line_px = round(SIZES["a6"].font_pt * 1.25 / 72 * _dpi("a6"))
    moved = Image.new("L", expected.size, 255)
    moved.paste(expected.crop((0, 0, expected.width, expected.height - line_px)), (0, line_px))
    assert _differing(expected, moved)[0] > 4 * TOLERANCE
    assert _differing(expected, Image.open(rendered["a6"][0]))[0] <= TOLERANCE
