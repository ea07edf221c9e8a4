"""The slide deck of a run: reveal.js slides with speaker notes, built from ``metrics.json`` and
the figures, for presenting the project orally.

From the command line::

    python -m course_tools.reporting.slides [--profile full|quick] [--out FOLDER]

writes the folder ``slides/`` beside the profile's metrics file (``reports/slides/`` in the full
profile, ``scratch/quick/reports/slides/`` in the quick one): ``index.html``, the figures it
shows and a copy of reveal.js (``slides_assets/reveal/``, vendored), so the folder opens from
disk with no network. In the browser, S opens the speaker notes, F goes full screen.

Every number on a slide or in its notes is read from the metrics through
:class:`~course_tools.reporting.inputs.Record` (a missing one names the notebook to run) and
written by :mod:`helpers.formatting`. The benchmark slide appears when ``make bench`` has run.
"""

from __future__ import annotations

import argparse
import html
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from course_tools.reporting.inputs import Figures, Metrics, ReportInputError, load_metrics
from course_tools.reporting.sections import (
    EXPORT_MODES,
    LEFT_OUT,
    MODEL_NAMES,
    benchmark_table,
    model_name,
)
from helpers.formatting import (
    count,
    epochs,
    file_size,
    markdown_table,
    millions,
    milliseconds,
    percent,
    points,
    seconds,
)
from helpers.model_comparison import COMPARED_MODELS, ablation_summary
from helpers.settings import PROFILES, Profile, active_profile, relative_to_repo

ASSETS = Path(__file__).with_name("slides_assets")
TEMPLATE = ASSETS / "deck.html"  # fields: {title}, {badge}, {slides}
DECK_DIR = "slides"


@dataclass(frozen=True)
class Slide:
    """One slide: its anchor in the deck (``#results``), what it shows, and what to say."""

    key: str
    title: str
    points: tuple[str, ...] = ()  # bullets, Markdown
    table: str = ""  # a Markdown table under the bullets
    figure: str = ""  # a file name in figures/
    layout: str = "below"  # the figure under the text, or "side": beside it
    notes: tuple[str, ...] = ()  # the speaker notes, one paragraph each, Markdown


def _best(metrics: Metrics):
    name = metrics.section("best_model")["name"]
    return name, metrics.section(name)


def _label(name: str) -> str:
    """How the deck calls a model: as the report does, else as notebook 06's table does."""
    return model_name(name) if name in MODEL_NAMES else COMPARED_MODELS.get(name, name)


def _at(values, accuracies, where: float) -> float | None:
    """The accuracy measured at ``where`` (0 degrees, 0 pixels...) when it was measured."""
    values = list(values)
    return accuracies[values.index(where)] if where in values else None


# -- the slides, in order -------------------------------------------------------------------


def title_slide(metrics: Metrics) -> Slide:
    best_name, best = _best(metrics)
    base = metrics.section("baseline_cnn")
    test_images = metrics.section("data")["test_split"]
    return Slide(
        "title",
        "Handwritten digits with deep learning",
        points=(
            f"Best model: the {_label(best_name)}, **{percent(best['test_accuracy'])}** test "
            f"accuracy ({count(best['test_errors'])} errors in {count(test_images)} digits)",
            f"From a baseline CNN at {percent(base['test_accuracy'])}, trained, evaluated, "
            "improved, explained and deployed on a laptop CPU",
        ),
        figure="01_mean_images.png",
        notes=(
            "The task: read a handwritten digit, 0 to 9, from a 28x28 grey image. The talk "
            "follows the project: the data, a baseline network, its evaluation, what improved "
            "it, what the network learned, and how it is deployed.",
            f"The headline: the {_label(best_name)} gets {percent(best['test_accuracy'])} of "
            f"the {count(test_images)} test digits right, {count(best['test_errors'])} "
            f"mistakes, against {count(base['test_errors'])} for the baseline CNN.",
        ),
    )


def data_slide(metrics: Metrics) -> Slide:
    data = metrics.section("data")
    return Slide(
        "data",
        "The problem and the data",
        points=(
            f"MNIST: {count(data['train_images'])} training and {count(data['test_images'])} "
            "test images, 28x28 grey pixels, ten classes",
            f"Close to balanced: each digit is {percent(data['class_share_min'])} to "
            f"{percent(data['class_share_max'])} of the training images",
            f"Size-normalised and centred: {percent(data['ink_box_20px_share'])} of the digits "
            "have an ink box 20 pixels on its longest side",
        ),
        figure="01_samples_per_class.png",
        layout="side",
        notes=(
            "Ten random training digits per class: the same digit is written in many ways, "
            "slanted, thick or thin, open or closed.",
            f"Balance: the rarest digit makes up {percent(data['class_share_min'])} of the "
            f"training set, the most common {percent(data['class_share_max'])}, so accuracy is "
            "a fair summary.",
            "Every MNIST digit was scaled into a 20x20 box and centred by its centre of mass "
            "in the 28x28 image; the models come to rely on that framing (the deployment "
            "slide comes back to it).",
        ),
    )


def preprocessing_slide(metrics: Metrics) -> Slide:
    data = metrics.section("data")
    return Slide(
        "preprocessing",
        "Preprocessing and the split",
        points=(
            f"Pixels scaled to [0, 1] (mean {data['pixel_mean']:.4f}, standard deviation "
            f"{data['pixel_std']:.4f}), a channel axis, one-hot labels",
            f"A stratified split with a fixed seed: {count(data['train_split'])} images to "
            f"train, {count(data['validation_split'])} to validate and choose",
            f"The {count(data['test_images'])} test images stay untouched until the evaluation",
        ),
        figure="02_split_class_shares.png",
        notes=(
            "The split is stratified: every digit has the same share in the training and the "
            "validation parts, as the figure shows; the checks of notebook 02 also prove that "
            "no image is in both.",
            "Everything that is chosen (epochs, the ablation, the best model) is chosen on "
            "validation, so the test accuracy stays an honest estimate.",
        ),
    )


def baseline_slide(metrics: Metrics) -> Slide:
    base = metrics.section("baseline_cnn")
    return Slide(
        "baseline",
        "The baseline CNN and its training",
        points=(
            f"{count(base['params'])} parameters, {millions(base['macs_per_image'])} "
            "multiply-accumulates per image",
            f"Adam, cross-entropy, early stopping: {epochs(base['epochs'], base['best_epoch'])} "
            f"epochs, {seconds(base['seconds_per_epoch'])} each, {seconds(base['train_seconds'])} "
            "in all",
        ),
        figure="04_learning_curves.png",
        notes=(
            "A small convolutional network built layer by layer in notebook 03: convolutions "
            "and pooling, then a dense softmax layer over the ten digits.",
            f"Loss and accuracy per epoch on training and validation images: the checkpoint "
            f"keeps epoch {base['best_epoch']} of {base['epochs']}, the one with the best "
            f"validation loss. Training took {seconds(base['train_seconds'])} on the CPU.",
        ),
    )


def evaluation_slide(metrics: Metrics) -> Slide:
    base = metrics.section("baseline_cnn")
    test_images = metrics.section("data")["test_split"]
    return Slide(
        "evaluation",
        "Evaluation on the test set",
        points=(
            f"Test accuracy **{percent(base['test_accuracy'])}**, loss {base['test_loss']:.4f}",
            f"{count(base['test_errors'])} mistakes among {count(test_images)} test digits",
            "Row: the true digit, column: the prediction; everything off the diagonal is a "
            "mistake",
        ),
        figure="05_confusion_matrix.png",
        layout="side",
        notes=(
            f"The baseline, evaluated once on the {count(test_images)} test images: "
            f"{percent(base['test_accuracy'])}, that is {count(base['test_errors'])} mistakes.",
            "The confusion matrix shows which digits are taken for which; notebook 05 also "
            "reports precision, recall and F1 per class and checks the calibration.",
        ),
    )


def mistakes_slide(metrics: Metrics) -> Slide:
    base = metrics.section("baseline_cnn")
    return Slide(
        "mistakes",
        "The mistakes",
        points=(
            f"The baseline's most confident of its {count(base['test_errors'])} mistakes",
            "Broken, cramped or slanted strokes; shapes between two classes (a 4 closing "
            "into a 9, a 7 that could be a 1)",
        ),
        figure="05_misclassified.png",
        notes=(
            "Many of these a person would hesitate over too; MNIST's test set also holds a few "
            "digits that are ambiguous or carry a doubtful label, so the ceiling is below "
            "100%.",
        ),
    )


def ablation_slide(metrics: Metrics) -> Slide:
    ablation = metrics.section("ablation")
    variants = ablation["variants"]
    if "all" not in variants:
        raise ReportInputError(
            f"{metrics.name}: ablation.variants has no 'all' variant to compare with: run "
            f"{ablation.producer}"
        )
    summary = ablation_summary({name: list(variants[name]) for name in variants})
    rows = [
        [f"`{name}`", f"{percent(row['mean'])} ± {100 * row['std']:.2f}",
         "-" if name == "all" else f"{row['vs all (points)']:+.2f}",
         "-" if name == "all" else f"{row['p-value']:.3f}"]
        for name, row in summary.iterrows()
    ]
    seeds = ablation["seeds"]
    clear = [name for name, row in summary.iterrows() if row["p-value"] < 0.05]
    notes = [
        "The improved CNN adds four ingredients: data augmentation, batch normalisation, "
        "dropout and a warm-up + cosine learning-rate schedule. Each variant leaves one out "
        f"and trains on {count(ablation['images'])} training images for {ablation['epochs']} "
        f"epochs, with {len(seeds)} seeds; they are compared on validation, never on test.",
        "Clear in this run (Welch's t-test, p below 0.05): "
        + (", ".join(f"leaving out {LEFT_OUT.get(name, name)}" for name in clear) or "nothing")
        + ". The others differ by no more than the seeds alone make them differ.",
    ]
    return Slide(
        "ablation",
        "What improved it: the ablation",
        table=markdown_table(
            ["variant", f"validation accuracy (mean ± std, {len(seeds)} seeds)",
             'vs "all" (points)', "p-value"],
            rows,
        ),
        figure="06_ablation.png",
        layout="side",
        notes=tuple(notes),
    )


def seeds_slide(metrics: Metrics) -> Slide:
    """The improved CNN's seeds, their ensemble and the paired tests."""
    runs = metrics.section("improved_cnn_seeds")
    ensemble = metrics.section("ensemble")
    one = metrics.section("improved_cnn")
    rows = []
    for test in metrics.section("significance")["comparisons"]:
        low, high = test["difference_interval_95"]
        rows.append([test["a"], test["b"], f"{count(test['a_only'])} / {count(test['b_only'])}",
                     f"{test['p_value']:.3g}", f"{points(low)} to {points(high)}"])
    return Slide(
        "seeds",
        "Is the gain real? Seeds, ensemble, paired tests",
        points=(
            f"Improved CNN, {len(runs['seeds'])} seeds: test accuracy "
            f"{percent(runs['test_mean'])} ± {100 * runs['test_std']:.2f} points "
            f"({percent(runs['test_min'])} to {percent(runs['test_max'])})",
            f"The {len(ensemble['members'])} seed models averaged (an ensemble): "
            f"**{percent(ensemble['test_accuracy'])}**, {count(ensemble['test_errors'])} errors",
        ),
        table=markdown_table(["A", "B", "only A / only B right", "McNemar p",
                              "95% interval (points)"], rows),
        notes=(
            f"The same recipe trained with seeds {', '.join(str(s) for s in runs['seeds'])}: "
            f"the test accuracy moves by {100 * runs['test_std']:.2f} points (standard "
            f"deviation). Seed {runs['chosen_seed']} was chosen on validation.",
            f"The ensemble averages the probabilities of the {len(ensemble['members'])} models: "
            f"{count(ensemble['test_errors'])} test errors, for "
            f"{ensemble['macs_per_image'] / one['macs_per_image']:.0f} times the compute of one "
            f"network at inference ({file_size(ensemble['model_file_bytes'])} of weights).",
            "Paired tests on the same test digits: McNemar counts the digits only one of the "
            "two models gets right; the bootstrap interval is the accuracy difference A - B. "
            "An interval that contains 0 is no evidence either way; two seeds of one recipe "
            "are the control.",
        ),
    )


RESULTS_HEADER = ("model", "parameters", "test accuracy", "test errors", "training time",
                  "file size")


def results_slide(metrics: Metrics) -> Slide:
    best_name, best = _best(metrics)
    chosen_on = metrics.section("best_model")["validation_accuracy"]
    records = {name: metrics.section(name) for name in COMPARED_MODELS}
    rows = [
        [f"**{_label(name)} (best)**" if name == best_name else _label(name),
         count(record["params"]), percent(record["test_accuracy"]), count(record["test_errors"]),
         seconds(record["train_seconds"]), file_size(record["model_file_bytes"])]
        for name, record in records.items()
    ]
    smallest = min(records, key=lambda name: records[name]["params"])
    fastest = min(records, key=lambda name: records[name]["train_seconds"])
    return Slide(
        "results",
        "Results: the architectures compared",
        table=markdown_table(RESULTS_HEADER, rows),
        points=(f"One test evaluation each; the best chosen on validation ({percent(chosen_on)})",),
        figure="06_comparison.png",
        notes=(
            "Every model was trained on the same images and evaluated once on the test set.",
            f"The {_label(best_name)} was kept: {percent(best['test_accuracy'])} on test, "
            f"{count(best['test_errors'])} errors, {count(best['params'])} parameters, "
            f"{seconds(best['train_seconds'])} of training.",
            f"The smallest is the {_label(smallest)} ({count(records[smallest]['params'])} "
            f"parameters, {percent(records[smallest]['test_accuracy'])}); the quickest to train "
            f"the {_label(fastest)} ({seconds(records[fastest]['train_seconds'])}).",
            "More parameters are not more accuracy: what the convolutions assume about images "
            "counts more than size.",
        ),
    )


def benchmark_slide(metrics: Metrics) -> Slide | None:
    """The improved recipe against the reference example; only after ``make bench``."""
    if not metrics.has("benchmark"):
        return None
    bench = metrics.section("benchmark")
    return Slide(
        "benchmark",
        "Against the reference Keras example",
        table=benchmark_table(bench, ("reference example", "improved recipe")),
        points=(f"{bench['accuracy_gain_points']:+.2f} points of test accuracy for "
                f"{bench['time_ratio']:.2f} times the training time",),
        notes=("`make bench` trains the official Keras example and the improved recipe under "
               "the same conditions on the same machine, once per seed, and tests each trained "
               "model once.",),
    )


def learned_slide(metrics: Metrics) -> Slide:
    embedding = metrics.section("visualize")["embedding"]
    return Slide(
        "learned",
        "What the network learned",
        points=(
            "First-layer filters detect edges and strokes; deeper feature maps respond to "
            "parts of digits",
            "Grad-CAM: the regions of the last convolution that drove each prediction, on "
            "right and wrong digits",
        ),
        figure="07_grad_cam.png",
        notes=(
            "Notebook 07 opens the network: filters, feature maps layer by layer, saliency and "
            "Grad-CAM.",
            f"A {embedding['method']} map of the last hidden layer for "
            f"{count(embedding['points'])} test digits separates the ten classes; the "
            f"{count(embedding['misclassified'])} misclassified ones sit between clusters.",
        ),
    )


def robustness_slide(metrics: Metrics) -> Slide:
    visualize = metrics.section("visualize")
    bullets, notes = [], []
    for kind, axis, unit in (("rotation", "degrees", "degrees"), ("shift", "pixels", "pixels")):
        sweep = visualize[kind]
        values, accuracies = sweep[axis], sweep["accuracy"]
        worst = min(range(len(accuracies)), key=lambda i: accuracies[i])
        start = _at(values, accuracies, 0)
        text = (f"{kind.capitalize()}: " + (f"{percent(start)} at 0, " if start is not None else "")
                + f"{percent(accuracies[worst])} at {values[worst]:g} {unit}")
        if "baseline" in visualize and kind in visualize["baseline"]:
            base = visualize["baseline"][kind]
            at_worst = _at(base[axis], base["accuracy"], values[worst])
            if at_worst is not None:
                text += f" (baseline CNN: {percent(at_worst)})"
        bullets.append(text)
    notes.append("Every test digit rotated or shifted by the same amount, then classified: "
                 "augmentation during training (small rotations and shifts) is what makes the "
                 "improved CNN hold up better than the baseline.")
    notes.append("Beyond what augmentation showed it, accuracy falls fast: a 6 rotated far "
                 "enough is a 9.")
    return Slide("robustness", "How robust: rotation and shift", points=tuple(bullets),
                 figure="07_rotation_shift.png", notes=tuple(notes))


def _best_exports(metrics: Metrics) -> list:
    export = metrics.section("export")
    variants = [v for v in export["variants"] if v["model"] == "best_cnn"]
    if not variants:
        raise ReportInputError(
            f"{metrics.name}: export.variants has no entry for model 'best_cnn': run "
            f"{export.producer}"
        )
    return variants


def deployment_slide(metrics: Metrics) -> Slide:
    export = metrics.section("export")
    keras_accuracy = export["keras_test_accuracy"]["best_cnn"]
    _, best = _best(metrics)
    variants = _best_exports(metrics)
    rows = [[EXPORT_MODES.get(v["mode"], v["mode"]), file_size(v["bytes"]),
             percent(v["test_accuracy"]), points(v["test_accuracy"] - keras_accuracy),
             milliseconds(v["latency_ms"])] for v in variants]
    smallest = min(variants, key=lambda v: v["bytes"])
    smaller = best["model_file_bytes"] / smallest["bytes"]
    return Slide(
        "deployment",
        "Deployment: TensorFlow Lite",
        points=(f"The best model exported three ways and tested again on every test digit "
                f"(Keras: {percent(keras_accuracy)}, {file_size(best['model_file_bytes'])})",),
        table=markdown_table(["export", "size", "test accuracy", "vs Keras (points)",
                              "latency / image"], rows),
        figure="08_export.png",
        notes=(
            f"The smallest file, {EXPORT_MODES.get(smallest['mode'], smallest['mode'])}, takes "
            f"{file_size(smallest['bytes'])}: {smaller:.1f} times less than the Keras file, for "
            f"{points(smallest['test_accuracy'] - keras_accuracy)} points of test accuracy.",
            "int8 stores weights and activations as 8-bit integers, calibrated on training "
            "images; the drawing page uses that file through LiteRT.",
        ),
    )


def drawing_slide(metrics: Metrics) -> Slide:
    centring = metrics.section("centring")
    int8 = [v for v in _best_exports(metrics) if v["mode"] == "int8"]
    model = (f"the int8 model ({file_size(int8[0]['bytes'])}, {percent(int8[0]['test_accuracy'])})"
             if int8 else "the exported model")
    return Slide(
        "drawing",
        "The drawing page",
        points=(
            f"`make app`: draw a digit, {model} reads it after every stroke",
            f"Digits rescaled and moved the way people draw: "
            f"{percent(centring['test_accuracy_distorted'])} instead of "
            f"{percent(centring['test_accuracy_original'])}",
            f"Centred again the MNIST way (20x20 box, centre of mass): "
            f"**{percent(centring['test_accuracy_distorted_centred'])}**",
        ),
        figure="08_drawn_digit_steps.png",
        layout="side",
        notes=(
            "A drawing is not framed like MNIST. Notebook 08 measures what that costs on the "
            f"test set: {percent(centring['test_accuracy_original'])} as in MNIST, "
            f"{percent(centring['test_accuracy_distorted'])} rescaled and moved at random, "
            f"{percent(centring['test_accuracy_distorted_centred'])} once centred again.",
            "So the page prepares every drawing the way MNIST was made: grey, crop, 20x20 box, "
            "centre of mass in the middle (the steps in the figure).",
        ),
    )


def conclusions_slide(metrics: Metrics) -> Slide:
    base = metrics.section("baseline_cnn")
    best_name, best = _best(metrics)
    fewer = base["test_errors"] - best["test_errors"]
    change = f"{count(abs(fewer))} {'fewer' if fewer >= 0 else 'more'} mistakes"
    seeds = metrics.section("improved_cnn_seeds")
    return Slide(
        "conclusions",
        "Conclusions and limits",
        points=(
            f"Baseline CNN {percent(base['test_accuracy'])} → {_label(best_name)} "
            f"**{percent(best['test_accuracy'])}**: {change}",
            "What is left: hard or ambiguous digits, some mislabelled",
            f"Limits: another seed moves the test accuracy by about "
            f"{100 * seeds['test_std']:.2f} points; differences of a few test digits are within "
            "that noise; times depend on the machine",
            "MNIST is centred and clean: real drawings need the same preparation",
        ),
        notes=(
            f"From {count(base['test_errors'])} to {count(best['test_errors'])} errors among "
            f"{count(metrics.section('data')['test_split'])} test digits.",
            "Next steps: more seeds for every comparison, a test set of real drawings, and "
            "the same pipeline on a harder data set (Fashion-MNIST, EMNIST letters).",
        ),
    )


SLIDES: tuple[Callable[[Metrics], Slide | None], ...] = (
    title_slide,
    data_slide,
    preprocessing_slide,
    baseline_slide,
    evaluation_slide,
    mistakes_slide,
    ablation_slide,
    seeds_slide,
    results_slide,
    benchmark_slide,
    learned_slide,
    robustness_slide,
    deployment_slide,
    drawing_slide,
    conclusions_slide,
)


def build_slides(metrics: Metrics) -> list[Slide]:
    """The deck's slides; every missing input is listed at once, each with its notebook."""
    slides, problems = [], []
    for make in SLIDES:
        try:
            slide = make(metrics)
        except ReportInputError as exc:
            problems.append(str(exc))
            continue
        if slide is not None:
            slides.append(slide)
    _raise_problems(list(dict.fromkeys(problems)))
    return slides


def _raise_problems(problems: list[str]) -> None:
    if len(problems) == 1:
        raise ReportInputError(problems[0])
    if problems:
        listed = "\n".join(f"- {problem}" for problem in problems)
        raise ReportInputError(f"the slides need {len(problems)} more inputs:\n{listed}")


# -- the deck as HTML -----------------------------------------------------------------------


def _markdown():
    import mistune

    return mistune.create_markdown(plugins=["table"])


def render_slide(slide: Slide, markdown=None) -> str:
    """One ``<section>`` of the deck, with its speaker notes in ``<aside class="notes">``."""
    markdown = markdown or _markdown()
    heading = "h1" if slide.key == "title" else "h2"
    text = markdown("\n".join(f"- {point}" for point in slide.points)) if slide.points else ""
    if slide.table:
        text += markdown(slide.table)
    body = f'<div class="text">\n{text}</div>'
    if slide.figure:
        alt = html.escape(slide.figure.removesuffix(".png").replace("_", " "))
        body += (f'\n<figure><img src="figures/{html.escape(slide.figure)}" alt="{alt}">'
                 "</figure>")
    notes = "".join(markdown(paragraph) for paragraph in slide.notes)
    return (f'<section id="{slide.key}">\n<div class="frame">\n'
            f"<{heading}>{html.escape(slide.title)}</{heading}>\n"
            f'<div class="body {slide.layout}">\n{body}\n</div>\n</div>\n'
            f'<aside class="notes">\n{notes}</aside>\n</section>')


def render_deck(slides: list[Slide], profile_name: str) -> str:
    """The deck's ``index.html``: reveal.js and the theme are linked from beside it."""
    markdown = _markdown()
    badge = ""
    if profile_name != "full":
        badge = (f'<div class="profile-badge">{html.escape(profile_name)} profile: these numbers '
                 "show that every step works, not what the models can do</div>")
    template = TEMPLATE.read_text(encoding="utf-8")
    return (template.replace("{title}", "Handwritten digits with deep learning")
            .replace("{badge}", badge)
            .replace("{slides}", "\n".join(render_slide(s, markdown) for s in slides)))


@dataclass(frozen=True)
class Deck:
    """A deck written to disk: its ``index.html`` and the slides in it."""

    index: Path
    slides: list[Slide]


def write_deck(profile: Profile, out: Path | None = None) -> Deck:
    """Build the deck of ``profile``'s run into ``out`` (default: ``slides/`` beside the metrics
    file)."""
    metrics = load_metrics(profile)
    if metrics.profile != profile.name:
        raise ReportInputError(
            f"{metrics.name} says it was written by the {metrics.profile!r} profile, but it lies "
            f"in the {profile.name!r} profile's folder: re-run the notebooks in that profile"
        )
    slides = build_slides(metrics)
    figures = Figures(profile)
    for slide in slides:
        if slide.figure:
            figures.link(slide.figure)
    _raise_problems(figures.missing)

    out = Path(out) if out is not None else profile.reports_dir / DECK_DIR
    (out / "figures").mkdir(parents=True, exist_ok=True)
    shutil.copytree(ASSETS / "reveal", out / "reveal", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("README.md"))
    shutil.copy2(ASSETS / "theme.css", out / "theme.css")
    for slide in slides:
        if slide.figure:
            shutil.copy2(profile.figures_dir / slide.figure, out / "figures" / slide.figure)
    index = out / "index.html"
    index.write_text(render_deck(slides, profile.name), encoding="utf-8")
    return Deck(index, slides)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.reporting.slides",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--profile", choices=sorted(PROFILES),
                        help="the run to present (default: MNIST_COURSE_PROFILE, else full)")
    parser.add_argument("--out", type=Path,
                        help="the deck's folder (default: slides/ beside the run's metrics.json)")
    args = parser.parse_args(argv)
    try:
        profile = PROFILES[args.profile] if args.profile else active_profile()
        deck = write_deck(profile, args.out)
    except (ReportInputError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {relative_to_repo(deck.index)}: {len(deck.slides)} slides ({profile.name} "
          "profile); open it in a browser, S for the speaker notes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
