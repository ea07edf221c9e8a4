"""What the texts of notebooks 01, 02, 03, 05, 07 and 08 state about the data and the results,
checked against what the executed notebooks (the committed full-profile run) print.

A :class:`Fact` pins one sentence of a notebook's Markdown with a regular expression whose named
groups are the stated values, and reads the same names from the printed outputs of a notebook
(its own unless ``printed_by`` says otherwise). Whitespace is collapsed in both, so a pattern
does not care where a line wraps. By default every stated value must equal the printed one,
as numbers (``within`` allows a rounding margin); a fact can bring its own ``check`` instead,
given the stated groups and the printed groups (or, without ``prints``, the whole printed text).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import nbformat

from tests.notebooks.exercise_cells import read_notebook

WORDS = {"nine": 9}


@dataclass(frozen=True)
class Fact:
    """A sentence of a notebook's text and the printed numbers that must bear it out."""

    name: str
    notebook: str
    says: str  # regex on the notebook's Markdown, matching once
    prints: str | None = None  # regex on the printed outputs; None: the check gets all of it
    within: float = 0.0  # how far a stated number may be from the printed one
    check: Callable[[dict, dict], bool] | None = None
    printed_by: str | None = None  # the notebook whose outputs to read, when another


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def markdown_text(nb: nbformat.NotebookNode) -> str:
    """All Markdown of ``nb``, whitespace collapsed."""
    return collapse("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))


def printed_text(nb: nbformat.NotebookNode) -> str:
    """Everything the code cells of ``nb`` printed or returned as text, whitespace collapsed."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stdout":
                parts.append(output.text)
            elif output.output_type == "execute_result":
                parts.append(output.data.get("text/plain", ""))
    return collapse("\n".join(parts))


def number(text: str) -> float:
    """``"60,000"``, ``"80.9"``, ``"nine"`` as a number."""
    text = text.strip().rstrip("%")
    if text.lower() in WORDS:
        return float(WORDS[text.lower()])
    return float(text.replace(",", ""))


def stated(fact: Fact, markdown: str) -> dict[str, str]:
    """The named groups of the one place ``fact.says`` matches; AssertionError otherwise."""
    matches = list(re.finditer(fact.says, markdown))
    assert len(matches) == 1, (
        f"{fact.notebook}: the text should state {fact.name!r} once "
        f"(pattern {fact.says!r} matches {len(matches)} times)"
    )
    return matches[0].groupdict()


def printed(fact: Fact, output: str) -> dict[str, str]:
    """The named groups of the first place ``fact.prints`` matches, or the whole text."""
    if fact.prints is None:
        return {"text": output}
    match = re.search(fact.prints, output)
    assert match, f"{fact.printed_by or fact.notebook} prints nothing like {fact.prints!r}"
    return match.groupdict()


def holds(fact: Fact, said: dict[str, str], shown: dict[str, str]) -> bool:
    """Whether the printed values bear out the stated ones."""
    if fact.check is not None:
        return bool(fact.check(said, shown))
    return all(
        abs(number(value) - number(shown[key])) <= fact.within for key, value in said.items()
    )


def verify(fact: Fact) -> None:
    """AssertionError saying what the text states and what the notebook printed, if they differ."""
    said = stated(fact, markdown_text(read_notebook(fact.notebook)))
    shown = printed(fact, printed_text(read_notebook(fact.printed_by or fact.notebook)))
    assert holds(fact, said, shown), (
        f"{fact.notebook} states {fact.name}: {said}, but "
        f"{fact.printed_by or fact.notebook} printed {shown if fact.prints else '(see check)'}"
    )


def _all(pattern: str, text: str) -> list[tuple[str, ...]]:
    return re.findall(pattern, text)


KB_PER_UNIT = {"kB": 1, "MB": 1000}


def _sizes_kb(text: str) -> dict[tuple[str, str], float]:
    return {
        (m, mode): number(size) * KB_PER_UNIT[unit]
        for m, mode, size, unit in _all(
            r"(\w+_cnn) (float32|dynamic_range|int8) ([\d.,]+) (kB|MB)", text
        )
    }


def _eight_bit_ratios(shown: dict) -> list[float]:
    sizes = _sizes_kb(shown["text"])
    return [
        sizes[model, "float32"] / sizes[model, mode] for model, mode in sizes if mode != "float32"
    ]


def _between(low: str, high: str, values: list[float]) -> bool:
    return bool(values) and all(number(low) <= value <= number(high) for value in values)


def _pair_confused(pair: str, text: str) -> bool:
    a, b = pair.split(" and ")
    return bool(re.search(rf"\b({a} → {b}|{b} → {a}): \d+", text))


def _sweep_predictions(text: str, negative_only: bool = False) -> set[str]:
    found = _all(r"([+-]\d+)°:(\d)", text)
    return {digit for angle, digit in found if not negative_only or angle.startswith("-")}


FACTS = [
    # 01_explore
    Fact(
        "training set in memory",
        "01_explore",
        r"takes about (?P<mib>45) MiB in memory",
        r"x_train shape=.*? memory=(?P<mib>[\d.]+) MiB",
        within=0.5,
    ),
    Fact(
        "largest / smallest class",
        "01_explore",
        r"the most frequent digit \((?P<top>\d)\) has only (?P<ratio>[\d.]+) times as many "
        r"examples as the rarest \((?P<bottom>\d)\)",
        r"largest / smallest class in train: (?P<ratio>[\d.]+) \(digit (?P<top>\d) / digit "
        r"(?P<bottom>\d)\)",
    ),
    Fact(
        "background share",
        "01_explore",
        r"About (?P<background>\d+)% of pixels are pure background",
        r"background \(0\): (?P<background>[\d.]+)%",
        within=0.5,
    ),
    Fact(
        "ink levels 250 or more",
        "01_explore",
        r"about (?P<high>\d+)% of ink pixels are 250 or more, only (?P<full>[\d.]+)% exactly 255",
        r"250-255: (?P<high>[\d.]+)% exactly 255: (?P<full>[\d.]+)%",
        within=0.5,
    ),
    Fact(
        "the ink's most common level is just below 255",
        "01_explore",
        r"its most common level is just below it, and only a few percent of ink pixels reach "
        r"255 exactly",
        r"most common level (?P<mode>\d+),.*? exactly 255: (?P<full>[\d.]+)%",
        check=lambda said, shown: 245 <= number(shown["mode"]) < 255 and number(shown["full"]) < 5,
    ),
    Fact(
        "digits whose longest side is not 20 px",
        "01_explore",
        r"all but (?P<other>\d+) of the (?P<total>[\d,]+), measured above",
        r"exactly 20 px for [\d,]+ of the (?P<total>[\d,]+) digits \(the other (?P<other>\d+):",
    ),
    Fact(
        "height is the 20-px side",
        "01_explore",
        r"the height is that side for (?P<height>\d+)% of them",
        r"height 20 px: (?P<height>[\d.]+)% of the digits",
        within=0.5,
    ),
    Fact(
        "centres of mass",
        "01_explore",
        r"centres of mass cluster at \((?P<row>14), (?P<col>14)\)",
        r"centre of mass \(row, col\): mean \((?P<row>[\d.]+), (?P<col>[\d.]+)\)",
        within=0.1,
    ),
    # 02_preprocess
    Fact(
        "statistics divided by 255",
        "02_preprocess",
        r"\((?P<mean>[\d.]+) → (?P<scaled_mean>[\d.]+), (?P<std>[\d.]+) → (?P<scaled_std>[\d.]+)\)",
        r"before .*? mean=(?P<mean>[\d.]+) std=(?P<std>[\d.]+) after .*? "
        r"mean=(?P<scaled_mean>[\d.]+) std=(?P<scaled_std>[\d.]+)",
        within=0.005,
    ),
    Fact(
        "validation images held out",
        "02_preprocess",
        r"we hold out \*\*(?P<validation>[\d,]+) training images\*\*",
        r"validation: (?P<validation>[\d,]+) images",
    ),
    Fact(
        "the split in the summary",
        "02_preprocess",
        r"(?P<train>[\d,]+) train / (?P<validation>[\d,]+) validation, stratified",
        r"train: (?P<train>[\d,]+) images validation: (?P<validation>[\d,]+) images",
    ),
    # 03_cnn
    Fact(
        "parameters of the baseline",
        "03_cnn",
        r"It is small \((?P<params>[\d,]+) weights\)",
        r"total parameters: (?P<params>[\d,]+)",
    ),
    Fact(
        "baseline above 99%",
        "03_cnn",
        r"already above (?P<accuracy>\d+)% accuracy on MNIST",
        r"test accuracy (?P<accuracy>[\d.]+)%",
        printed_by="05_evaluate",
        check=lambda said, shown: number(shown["accuracy"]) > number(said["accuracy"]),
    ),
    Fact(
        "flattened features",
        "03_cnn",
        r"one vector of (?P<flat>\d+) numbers",
        r"flatten Flatten (?P<flat>\d+)",
    ),
    Fact(
        "weights and computation of the convolutions",
        "03_cnn",
        r"The convolutions hold (?P<conv>\d+)% of the weights and the dense layers (?P<dense>\d+)%"
        r", but the convolutions do almost all the \*computation\* \((?P<macs>\d+)% of the MACs\)",
        r"Conv2D layers: [\d,]+ parameters \((?P<conv>\d+)%\), [\d,]+ MACs \((?P<macs>\d+)%\) "
        r"Dense layers: [\d,]+ parameters \((?P<dense>\d+)%\)",
    ),
    Fact(
        "multiply-accumulates per image",
        "03_cnn",
        r"about \*\*(?P<millions>[\d.]+) million multiply-accumulates\*\*",
        r"MACs per image: (?P<macs>[\d,]+)",
        check=lambda said, shown: (
            abs(number(shown["macs"]) / 1e6 - number(said["millions"])) < 0.05
        ),
    ),
    # 05_evaluate
    Fact(
        "test digits",
        "05_evaluate",
        r"we use the \*\*test set\*\*: (?P<test>[\d,]+) digits",
        r"errors out of (?P<test>[\d,]+)\)",
    ),
    Fact(
        "macro averages close to the accuracy",
        "05_evaluate",
        r"the macro averages are close to the accuracy",
        r"test accuracy (?P<accuracy>[\d.]+)% .*?macro average: "
        r"\{'precision': (?P<precision>[\d.]+), 'recall': (?P<recall>[\d.]+)",
        check=lambda said, shown: all(
            abs(number(shown[k]) - number(shown["accuracy"]) / 100) < 0.005
            for k in ("precision", "recall")
        ),
    ),
    # 07_visualize
    Fact(
        "penultimate features of the best model",
        "07_visualize",
        r"\((?P<best>\d+) numbers per digit for the improved CNN",
        r"(?P<best>\d+) features per digit",
    ),
    Fact(
        "penultimate features of the baseline",
        "07_visualize",
        r"numbers per digit for the improved CNN, (?P<baseline>\d+) for the baseline\)",
        r"dense Dense (?P<baseline>\d+) ",
        printed_by="03_cnn",
    ),
    Fact(
        "digits in the t-SNE",
        "07_visualize",
        r"for (?P<points>[\d,]+) test digits and draw them in 2-D",
        r"(?P<points>[\d,]+) digits in",
    ),
    Fact(
        "Grad-CAM grids",
        "07_visualize",
        r"\(the layer's grid: (?P<best>\d)×\d in the improved CNN, only (?P<baseline>\d)×\d in the "
        r"baseline",
        r"conv3b: (?P<best>\d+)x.*?baseline conv3: (?P<baseline>\d+)x",
    ),
    Fact(
        "pairs the confusion matrix confuses",
        "07_visualize",
        r"notebook 05 confuses \((?P<a>\d and \d), (?P<b>\d and \d), (?P<c>\d and \d)\.\.\.\)",
        printed_by="05_evaluate",
        check=lambda said, shown: all(_pair_confused(p, shown["text"]) for p in said.values()),
    ),
    Fact(
        "a 7 turned clockwise",
        "07_visualize",
        r"a 7 turned clockwise, the negative angles, soon looks like a (?P<digit>\d)",
        check=lambda said, shown: said["digit"] in _sweep_predictions(shown["text"], True),
    ),
    Fact(
        "a 7 turned the other way",
        "07_visualize",
        r"turned the other way it stays a 7 up to (?P<degrees>\d+)° here, for both models",
        check=lambda said, shown: all(
            digit == "7"
            for angle, digit in _all(r"([+-]\d+)°:(\d)", shown["text"])
            if 0 <= int(angle) <= int(said["degrees"])
        ),
    ),
    Fact(
        "augmentation slows the fall under rotation",
        "07_visualize",
        r"so its accuracy falls off more slowly",
        check=lambda said, shown: all(
            number(best) >= number(base)
            for best, base in _all(
                r"rotated [+-]\d+°: best ([\d.]+)% baseline ([\d.]+)%", shown["text"]
            )
        ),
    ),
    # 08_deploy
    Fact(
        "bytes per weight of a float32 file",
        "08_deploy",
        r"The float32 file is about (?P<bytes>\d) bytes per weight",
        r"best_cnn Keras test accuracy [\d.]+% (?P<params>[\d,]+) parameters.*?"
        r"best_cnn float32 (?P<size>[\d.]+) (?P<unit>kB|MB)",
        check=lambda said, shown: (
            abs(
                1000 * number(shown["size"]) * KB_PER_UNIT[shown["unit"]] / number(shown["params"])
                - number(said["bytes"])
            )
            < 0.25
        ),
    ),
    Fact(
        "how much smaller the 8-bit files are",
        "08_deploy",
        r"Both 8-bit modes are (?P<low>[\d.]+) to (?P<high>[\d.]+) times smaller",
        check=lambda said, shown: _between(said["low"], said["high"], _eight_bit_ratios(shown)),
    ),
    Fact(
        "how much smaller, in the summary",
        "08_deploy",
        r"\*\*(?P<low>[\d.]+) to (?P<high>[\d.]+) times smaller\*\* than the float32 one",
        check=lambda said, shown: _between(said["low"], said["high"], _eight_bit_ratios(shown)),
    ),
    Fact(
        "int8 within a few images of Keras",
        "08_deploy",
        r"the int8 file reads the test set within a few images of Keras",
        check=lambda said, shown: all(
            abs(int(gap)) <= 5 for gap in _all(r"([+-]\d+) correct digits", shown["text"])
        ),
    ),
    Fact(
        "a handful of predictions changed",
        "08_deploy",
        r"int8 changes a handful of the (?P<test>[\d,]+) predictions",
        check=lambda said, shown: all(
            int(changed) <= 10 and number(total) == number(said["test"])
            for changed, total in _all(
                r"(\d+) of ([\d,]+) predictions "
                r"changed",
                shown["text"],
            )
        ),
    ),
    Fact(
        "latency far below 100 ms",
        "08_deploy",
        r"Every file reads a digit far faster than the ~(?P<ms>\d+) ms",
        check=lambda said, shown: all(
            number(ms) < number(said["ms"]) / 10 for ms in _all(r"([\d.]+) ms/image", shown["text"])
        ),
    ),
    Fact(
        "sample pictures",
        "08_deploy",
        r"`data/samples/` holds (?P<samples>\w+) synthetic drawn digits",
        r"\d+ of (?P<samples>\d+) samples read",
    ),
    Fact(
        "what the centring buys",
        "08_deploy",
        r"that preparation restores the accuracy the distortion destroyed",
        r"original test accuracy (?P<original>[\d.]+)% distorted test accuracy "
        r"(?P<distorted>[\d.]+)% distorted, recentred test accuracy (?P<recentred>[\d.]+)%",
        check=lambda said, shown: (
            number(shown["distorted"]) < number(shown["recentred"]) - 5
            and number(shown["original"]) - number(shown["recentred"]) < 1
        ),
    ),
]
