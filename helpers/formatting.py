"""How numbers are written, the same way in the notebooks, the report and the README:
percentages, counts, file sizes (decimal kB and MB), durations, Markdown tables."""

from __future__ import annotations

from collections.abc import Sequence


def percent(fraction: float) -> str:
    """A fraction as a percentage with two decimals: 0.9927 -> ``99.27%``."""
    return f"{100 * fraction:.2f}%"


def points(difference: float) -> str:
    """A difference of two fractions in signed percentage points: 0.0012 -> ``+0.12``."""
    return f"{100 * difference:+.2f}"


def count(number: int) -> str:
    """A whole number with thousands separators: 93322 -> ``93,322``."""
    return f"{round(number):,}"


def millions(number: float) -> str:
    """A large count in millions or thousands: 2794240 -> ``2.79 M``, 101632 -> ``101.6 k``."""
    if number >= 1e6:
        return f"{number / 1e6:.2f} M"
    return f"{number / 1e3:.1f} k"


def file_size(size: int) -> str:
    """Bytes in decimal units: 1165367 -> ``1.17 MB``, 98765 -> ``98.8 kB``."""
    if size >= 1e6:
        return f"{size / 1e6:.2f} MB"
    return f"{size / 1e3:.1f} kB"


def seconds(value: float) -> str:
    """A duration: whole seconds from 10 s on, one decimal below (142.4 -> ``142 s``)."""
    return f"{value:.1f} s" if value < 10 else f"{value:,.0f} s"


def milliseconds(value: float) -> str:
    """A short duration: 0.234 -> ``0.23 ms``."""
    return f"{value:.2f} ms"


def epochs(total: int, best: int) -> str:
    """Epochs trained and the one kept: ``15 (best: 11)``."""
    return f"{total} (best: {best})"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub Markdown table; text columns left-aligned, number columns right-aligned."""
    numeric = [_numeric_column([row[i] for row in rows]) for i in range(len(header))]
    align = ["---:" if is_number else "---" for is_number in numeric]
    lines = [_row(header), _row(align)] + [_row(row) for row in rows]
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"


def _numeric_column(cells: Sequence[str]) -> bool:
    """True when every cell but "-" placeholders starts like a number, and one does."""
    values = [str(cell).strip() for cell in cells if str(cell).strip() not in ("-", "")]
    return bool(values) and all(text[0].isdigit() or text[0] in "+-" for text in values)
