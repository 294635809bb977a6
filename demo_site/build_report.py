"""Typeset the demo's PDF activity report with fpdf2 (called by build_site).

The text is Turkish, so the font must carry ğ ş ı İ ç ö ü and be embedded with a
ToUnicode map for text extraction to give the letters back: Debian's
fonts-dejavu-core DejaVu Sans does both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


class ReportPDF(FPDF):
    def __init__(self, running_title: str) -> None:
        super().__init__(format="A4")
        self.running_title = running_title

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("DejaVu", size=8)
        self.cell(0, 8, self.running_title, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("DejaVu", size=8)
        self.cell(0, 10, f"Sayfa {self.page_no()}/{{nb}}", align="C")


def build_report(report: dict[str, Any], path: Path) -> None:
    """Write the report described by a [report] table of a content file to path."""
    missing = [name for name in FONT_FILES.values() if not (FONT_DIR / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"cannot typeset {path.name}: {', '.join(missing)} not found in {FONT_DIR} "
            "(install Debian's fonts-dejavu-core)"
        )
    published: date = report["published"]
    pdf = ReportPDF(report["title"])
    pdf.set_title(report["title"])
    pdf.set_author(report["author"])
    pdf.set_lang("tr-TR")
    # A fixed creation date keeps the committed PDF byte-identical between builds.
    pdf.set_creation_date(datetime(published.year, published.month, published.day, tzinfo=UTC))
    for style, name in FONT_FILES.items():
        pdf.add_font("DejaVu", style, str(FONT_DIR / name))
    pdf.set_auto_page_break(auto=True, margin=20)

    pdf.add_page()
    pdf.set_font("DejaVu", "B", 20)
    pdf.ln(50)
    pdf.multi_cell(0, 11, report["author"], align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(10)
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 9, report["title"], align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", size=12)
    pdf.ln(6)
    pdf.multi_cell(0, 7, report["subtitle"], align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(30)
    pdf.cell(0, 7, report["place_and_date"], align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    for chapter in report["chapter"]:
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(0, 8, chapter["heading"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        pdf.set_font("DejaVu", size=10.5)
        for paragraph in chapter["body"].strip().split("\n\n"):
            pdf.multi_cell(0, 6, " ".join(paragraph.split()), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)
        if "table" in chapter:
            header, *rows = chapter["table"]
            pdf.ln(2)
            pdf.set_font("DejaVu", size=9)
            with pdf.table(col_widths=chapter.get("col_widths"), text_align="LEFT") as table:
                for values in [header, *rows]:
                    row = table.row()
                    for value in values:
                        row.cell(str(value))

    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
