"""The sections of ``REPORT.md``: each turns metrics and figures into Markdown.

Every function takes the run's :class:`~course_tools.reporting.inputs.Metrics` and
:class:`~course_tools.reporting.inputs.Figures` and returns one section; every number it prints is
read from the metrics, never typed here.
"""

from __future__ import annotations

from course_tools.reporting.inputs import Figures, Metrics
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

MODEL_NAMES = {
    "numpy_mlp": "NumPy MLP",
    "keras_mlp": "Keras MLP",
    "baseline_cnn": "baseline CNN",
    "improved_cnn": "improved CNN",
    "resnet10": "ResNet-10",
    "ensemble": "ensemble of the improved CNN's seeds",
    "best_cnn": "best CNN",
}
ABLATION_VARIANTS = {
    "all": "augmentation + batch normalisation + dropout + learning-rate schedule",
    "no_augmentation": "all but data augmentation",
    "no_batch_norm": "all but batch normalisation",
    "no_dropout": "all but dropout",
    "constant_learning_rate": "all, with a constant learning rate instead of the schedule",
}
LEFT_OUT = {
    "no_augmentation": "data augmentation",
    "no_batch_norm": "batch normalisation",
    "no_dropout": "dropout",
    "constant_learning_rate": "the learning-rate schedule",
}
EXPORT_MODES = {
    "float32": "float32",
    "dynamic_range": "dynamic range (int8 weights)",
    "int8": "int8 (weights and activations)",
}


def model_name(name: str) -> str:
    """How the report calls a model: ``improved_cnn`` -> ``improved CNN``."""
    return MODEL_NAMES.get(name, name)


def figure(figures: Figures, name: str, caption: str) -> str:
    """A sentence saying what a figure shows, then the figure."""
    alt = name.removesuffix(".png").replace("_", " ")
    return f"{caption}\n\n![{alt}]({figures.link(name)})"


def header(metrics: Metrics, figures: Figures) -> str:
    profile = metrics.profile
    lines = [
        "# Handwritten digits on MNIST: the report",
        "",
        "Built by `python -m course_tools.reporting.report` from `metrics.json` and the figures",
        f"in `figures/`, written by the notebooks in the **{profile}** profile. Do not edit it by",
        "hand: re-run the notebooks and rebuild it.",
    ]
    if profile == "quick":
        lines += [
            "",
            "> **Quick CI profile.** The numbers below come from the quick profile that CI runs: a "
            "small training subset, one or two epochs, and subsets of the validation and test "
            "sets (notebook 08 reads the whole test set). They show that every step works, not "
            "what the models can do; the course's results are in the full-profile "
            "`reports/REPORT.md`.",
        ]
    return "\n".join(lines)


def data_section(metrics: Metrics, figures: Figures) -> str:
    data = metrics.section("data")
    return "\n\n".join([
        "## 1. The data and its preprocessing",
        f"MNIST has {count(data['train_images'])} training and {count(data['test_images'])} test "
        "images of handwritten digits, 28x28 grey pixels each. Every digit was size-normalised "
        f"into a 20x20 box and centred by its centre of mass: {percent(data['ink_box_20px_share'])}"
        " of the training digits have their longest ink side exactly 20 pixels. The classes are "
        f"close to balanced: each digit makes up between {percent(data['class_share_min'])} and "
        f"{percent(data['class_share_max'])} of the training images.",
        "Preprocessing (notebook 02) scales the pixels to [0, 1] and adds a channel axis; the "
        f"scaled training pixels have mean {data['pixel_mean']:.4f} and standard deviation "
        f"{data['pixel_std']:.4f}. Labels become one-hot vectors. A stratified split with a fixed "
        f"seed keeps {count(data['train_split'])} images for training and "
        f"{count(data['validation_split'])} for validation; the test images are not touched "
        "until the evaluation.",
        figure(figures, "01_samples_per_class.png",
               "Ten random training digits per class: the same digit is written in many ways."),
        figure(figures, "01_ink_geometry.png",
               "The size of each digit's ink box and where its centre of mass lies: the framing "
               "every MNIST digit was given."),
        figure(figures, "02_split_class_shares.png",
               "The share of each digit in the training and validation parts of the split."),
    ])


def baseline_section(metrics: Metrics, figures: Figures) -> str:
    base = metrics.section("baseline_cnn")
    test_images = metrics.section("data")["test_split"]
    return "\n\n".join([
        "## 2. The baseline CNN",
        f"The baseline CNN (built in notebook 03, trained in 04, evaluated in 05) has "
        f"{count(base['params'])} parameters and costs {millions(base['macs_per_image'])} "
        f"multiply-accumulates per image. It trained for {base['epochs']} epochs "
        f"({seconds(base['seconds_per_epoch'])} per epoch, {seconds(base['train_seconds'])} in "
        f"all); its best validation epoch was {base['best_epoch']}. On the "
        f"{count(test_images)} test images it reaches **{percent(base['test_accuracy'])}** "
        f"accuracy (loss {base['test_loss']:.4f}), that is {count(base['test_errors'])} "
        f"mistakes. The saved model takes {file_size(base['model_file_bytes'])}.",
        figure(figures, "04_learning_curves.png",
               "Loss and accuracy per epoch on the training and validation images."),
        figure(figures, "05_confusion_matrix.png",
               "The test confusion matrix: row t, column p counts digits of class t predicted "
               "as p; everything off the diagonal is a mistake."),
        figure(figures, "05_confusion_matrix_normalised.png",
               "The same matrix divided by each row's total: the diagonal is each digit's recall."),
        figure(figures, "05_misclassified.png",
               "The baseline's most confident mistakes on the test set."),
    ])


def ablation_section(metrics: Metrics, figures: Figures) -> str:
    ablation = metrics.section("ablation")
    variants = ablation["variants"]
    summary = ablation_summary({name: list(variants[name]) for name in variants})
    rows, clear = [], []
    for name, row in summary.iterrows():
        difference, p_value = "-", "-"
        if name != "all":
            difference, p_value = f"{row['vs all (points)']:+.2f}", f"{row['p-value']:.3f}"
            if row["p-value"] < 0.05:
                clear.append(f"leaving out {LEFT_OUT.get(name, name)} ({difference} points, "
                             f"p = {p_value})")
        rows.append([f"`{name}`", ABLATION_VARIANTS.get(name, name), percent(row["mean"]),
                     f"{100 * row['std']:.2f}", difference, p_value])
    table = markdown_table(
        ["variant", "what it trains", "mean validation accuracy", "std (points)",
         'difference to "all" (points)', "p-value"],
        rows,
    )
    seeds = ablation["seeds"]
    verdict = (
        "Clear effects in this run: " + "; ".join(clear) + "."
        if clear
        else "No ingredient's effect stands out from the spread of the seeds in this run."
    )
    return "\n\n".join([
        "## 3. The improvements and what each one is worth",
        "Notebook 06 improves the baseline with four ingredients: data augmentation, batch "
        "normalisation, dropout and a learning-rate schedule. To measure each, it trains the "
        "improved CNN with all of them and with one left out, in a regime where regularisation "
        f"matters: {count(ablation['images'])} training images, {ablation['epochs']} epochs, each "
        f"variant with {len(seeds)} seeds ({', '.join(str(seed) for seed in seeds)}), read on the "
        "full validation set; the test set is kept for the final models. The p-value (Welch's "
        "t-test) is the chance of a difference this large between the means if only the seeds "
        "differed.",
        table,
        verdict,
        figure(figures, "06_augmentation.png",
               "Training digits as augmentation shows them to the model: moved, rotated and "
               "zoomed a little, a new variant every epoch."),
        figure(figures, "06_ablation.png",
               "Mean validation accuracy of each variant over its seeds (one standard deviation "
               "either side), and every run as a dot."),
    ])


def seeds_section(metrics: Metrics, figures: Figures) -> str:
    runs = metrics.section("improved_cnn_seeds")
    chosen = metrics.section("improved_cnn")
    ensemble = metrics.section("ensemble")
    rows = [
        [str(seed), percent(validation), percent(test), count(errors)]
        for seed, validation, test, errors in zip(
            runs["seeds"], runs["validation_accuracy"], runs["test_accuracy"],
            runs["test_errors"], strict=True,
        )
    ]
    best = metrics.section("best_model")
    return "\n\n".join([
        f"## 4. The improved CNN, {len(runs['seeds'])} seeds and an ensemble",
        f"The final recipe (all images, {chosen['epochs']} epochs, every ingredient) was trained "
        f"with {len(runs['seeds'])} seeds. Test accuracy over the seeds: mean "
        f"**{percent(runs['test_mean'])}**, standard deviation {100 * runs['test_std']:.2f} "
        f"points, from {percent(runs['test_min'])} to {percent(runs['test_max'])}. The seed "
        f"chosen on validation, {runs['chosen_seed']}, reaches {percent(chosen['test_accuracy'])} "
        f"({count(chosen['test_errors'])} errors).",
        markdown_table(["seed", "validation accuracy", "test accuracy", "test errors"], rows),
        f"Averaging the probabilities of the {len(ensemble['members'])} seed models (an "
        f"ensemble) gives **{percent(ensemble['test_accuracy'])}** "
        f"({count(ensemble['test_errors'])} errors; validation "
        f"{percent(ensemble['validation_accuracy'])}), for "
        f"{ensemble['macs_per_image'] / chosen['macs_per_image']:.0f} times the compute and "
        f"the weights of one network at inference ({file_size(ensemble['model_file_bytes'])}).",
        f"The model kept as the best, chosen on validation accuracy "
        f"({percent(best['validation_accuracy'])}), is the **{model_name(best['name'])}**, saved "
        f"as `{best['file']}`.",
        figure(figures, "06_improved_learning_curves.png",
               "The learning curves of the improved CNN (its first seed)."),
    ])


def comparison_section(metrics: Metrics, figures: Figures) -> str:
    records = {name: metrics.section(name) for name in COMPARED_MODELS}
    rows = [
        [model_name(name), count(r["params"]), millions(r["macs_per_image"]),
         seconds(r["seconds_per_epoch"]), epochs(r["epochs"], r["best_epoch"]),
         percent(r["test_accuracy"]), count(r["test_errors"]), file_size(r["model_file_bytes"])]
        for name, r in records.items()
    ]
    table = markdown_table(
        ["model", "parameters", "MACs / image", "time / epoch", "epochs", "test accuracy",
         "test errors", "file size"],
        rows,
    )
    test_images = metrics.section("data")["test_split"]
    tests = []
    for row in metrics.section("significance")["comparisons"]:
        low, high = row["difference_interval_95"]
        verdict = ("A better" if low > 0 else "B better" if high < 0 else "no evidence either way")
        tests.append([row["a"], row["b"], percent(row["accuracy_a"]), percent(row["accuracy_b"]),
                      f"{row['a_only']} / {row['b_only']}", f"{row['p_value']:.3g}",
                      f"{points(low)} to {points(high)}", verdict])
    most_accurate = max(records, key=lambda name: records[name]["test_accuracy"])
    smallest = min(records, key=lambda name: records[name]["params"])
    return "\n\n".join([
        "## 5. Architectures compared",
        "Every model was trained on the same images and evaluated once on the test set "
        "(MACs: multiply-accumulates of one forward pass; time measured on the machine of the "
        "run; the ensemble's costs add up its members').",
        table,
        f"The most accurate is the {model_name(most_accurate)} "
        f"({percent(records[most_accurate]['test_accuracy'])}, "
        f"{count(records[most_accurate]['test_errors'])} errors); the smallest is the "
        f"{model_name(smallest)} ({count(records[smallest]['params'])} parameters, "
        f"{percent(records[smallest]['test_accuracy'])}).",
        figure(figures, "06_comparison.png",
               "Test error rate against compute per image and training time per epoch."),
        f"Is a difference real? Paired tests on the same {count(test_images)} test digits: "
        "McNemar's exact "
        "test on the digits where the two models disagree (A right and B wrong / the reverse), "
        "and a paired bootstrap 95% interval of the accuracy difference A - B. Two seeds of the "
        "same recipe are the control.",
        markdown_table(["A", "B", "accuracy A", "accuracy B", "A only / B only right",
                        "McNemar p", "95% interval (points)", "verdict"], tests),
    ])


def benchmark_seeds(bench) -> int:
    """How many seeds the benchmark trained each recipe with (1 before it recorded them)."""
    return len(bench["seeds"]) if "seeds" in bench else 1


def benchmark_table(bench: dict, labels: tuple[str, str]) -> str:
    """The benchmark's two recipes (``labels``: reference, improved): test accuracy (the mean
    ± standard deviation over the seeds when there were several), training time and CPU time
    (when measured)."""
    with_cpu = "cpu_time_ratio" in bench  # benchmarks written before CPU time was measured
    seeds = benchmark_seeds(bench)

    def accuracy(row: dict) -> str:
        if seeds == 1:
            return percent(row["test_accuracy"])
        return f"{percent(row['test_accuracy'])} ± {100 * row['test_accuracy_std']:.2f}"

    rows = [
        [label, accuracy(bench[key]), seconds(bench[key]["train_seconds"])]
        + ([seconds(bench[key]["cpu_seconds"])] if with_cpu else [])
        for key, label in zip(("reference", "improved"), labels, strict=True)
    ]
    accuracy_header = "test accuracy" if seeds == 1 else f"test accuracy ({seeds} seeds)"
    return markdown_table(
        ["recipe", accuracy_header, "training time"] + (["CPU time"] if with_cpu else []), rows
    )


def benchmark_section(metrics: Metrics, figures: Figures) -> str:
    title = "## 6. Benchmark: the improved recipe against the reference"
    if not metrics.has("benchmark"):
        return (f"{title}\n\nThis run has no benchmark: `make bench` measures it and writes the "
                "`benchmark` section of `metrics.json`; rebuild the report afterwards.")
    bench = metrics.section("benchmark")
    cpu_note = (f" (CPU time: {bench['cpu_time_ratio']:.2f} times)"
                if "cpu_time_ratio" in bench else "")
    seeds = benchmark_seeds(bench)
    over = f", over {seeds} seeds each" if seeds > 1 else ""
    return "\n\n".join([
        title,
        "`make bench` trains the reference recipe and the improved one under the same "
        f"conditions and tests both{over}.",
        benchmark_table(bench, ("reference", "improved")),
        f"The improved recipe gains {bench['accuracy_gain_points']:+.2f} points of test "
        f"accuracy for {bench['time_ratio']:.2f} times the training time{cpu_note}.",
    ])


def _sweep_table(label: str, values, accuracies) -> str:
    return markdown_table(
        [label] + [f"{value:g}" for value in values],
        [["test accuracy"] + [percent(accuracy) for accuracy in accuracies]],
    )


def _sweep_sentence(what: str, unit: str, values, accuracies) -> str:
    worst = min(range(len(accuracies)), key=lambda i: accuracies[i])
    if 0 in values:
        start = f"{percent(accuracies[list(values).index(0)])} without {what}, "
    else:
        start = ""
    return f"Under {what}: {start}{percent(accuracies[worst])} at {values[worst]:g} {unit}."


def visualize_section(metrics: Metrics, figures: Figures) -> str:
    vis = metrics.section("visualize")
    rotation, shift, embedding = vis["rotation"], vis["shift"], vis["embedding"]
    return "\n\n".join([
        "## 7. What the network learned",
        figure(figures, "07_filters.png",
               "The filters of the first convolution layer: small edge and stroke detectors."),
        figure(figures, "07_feature_maps.png",
               "The feature maps of two digits, layer by layer: from strokes to parts of digits."),
        figure(figures, "07_saliency.png",
               "Saliency maps: the pixels whose change would change the predicted class most."),
        figure(figures, "07_grad_cam.png",
               "Grad-CAM: the regions of the last convolution layer that drove the prediction."),
        figure(figures, "07_embedding.png",
               f"A {embedding['method']} map of the network's last hidden layer for "
               f"{count(embedding['points'])} test digits; the {count(embedding['misclassified'])}"
               " misclassified ones are marked."),
        "How robust the network is to rotation and shift, on test digits, is measured in "
        "notebook 07:",
        _sweep_table("rotation (degrees)", rotation["degrees"], rotation["accuracy"]),
        _sweep_table("shift (pixels)", shift["pixels"], shift["accuracy"]),
        _sweep_sentence("rotation", "degrees", rotation["degrees"], rotation["accuracy"]) + " "
        + _sweep_sentence("shift", "pixels", shift["pixels"], shift["accuracy"]),
        figure(figures, "07_rotation_shift.png",
               "Accuracy as the test digits are rotated and shifted."),
    ])


def export_section(metrics: Metrics, figures: Figures) -> str:
    export = metrics.section("export")
    keras_accuracy = export["keras_test_accuracy"]
    rows = []
    for variant in export["variants"]:
        model = variant["model"]
        rows.append([
            model_name(model), EXPORT_MODES.get(variant["mode"], variant["mode"]),
            f"`{variant['file']}`", file_size(variant["bytes"]), percent(variant["test_accuracy"]),
            points(variant["test_accuracy"] - keras_accuracy[model]),
            milliseconds(variant["latency_ms"]),
        ])
    table = markdown_table(
        ["model", "export", "file", "size", "test accuracy", "vs Keras (points)", "latency"], rows
    )
    keras_line = ", ".join(
        f"{model_name(model)} {percent(accuracy)}" for model, accuracy in keras_accuracy.items()
    )
    centring = metrics.section("centring")
    return "\n\n".join([
        "## 8. Export and deployment",
        "Notebook 08 exports the best and the baseline CNN to TensorFlow Lite: float32, dynamic "
        "range (weights stored as int8) and full int8 (weights and activations), and tests every "
        f"file on the test set. Test accuracy in Keras: {keras_line}.",
        table,
        figure(figures, "08_export.png",
               "Size, test accuracy and latency of each exported file."),
        "The drawing app sees digits that are not framed like MNIST's. Notebook 08 measures what "
        "that costs on the test set: each digit rescaled at random and moved to a random place, "
        "as people draw in a box, then the same digits centred again the way MNIST was made "
        "(20x20 box, centre of mass in the middle; "
        "`helpers.deploy.drawn_digits.prepare_digit`, which the app uses).",
        markdown_table(
            ["test digits", "test accuracy"],
            [["as in MNIST", percent(centring["test_accuracy_original"])],
             ["rescaled and moved", percent(centring["test_accuracy_distorted"])],
             ["rescaled, moved, then centred",
              percent(centring["test_accuracy_distorted_centred"])]],
        ),
        figure(figures, "08_centring.png",
               "Test accuracy on the original, the distorted and the re-centred digits."),
        figure(figures, "08_drawn_digit_steps.png",
               "The steps that turn a drawn digit into an MNIST-like input: grey, crop, 20x20 "
               "box, centre of mass in the middle."),
    ])


def conclusions_section(metrics: Metrics, figures: Figures) -> str:
    base = metrics.section("baseline_cnn")
    best_name = metrics.section("best_model")["name"]
    best = metrics.section(best_name)
    test_images = metrics.section("data")["test_split"]
    seeds = metrics.section("improved_cnn_seeds")
    fewer = base["test_errors"] - best["test_errors"]
    change = (f"{count(fewer)} fewer mistakes" if fewer >= 0
              else f"{count(-fewer)} more mistakes")
    return "\n\n".join([
        "## 9. Conclusions and limitations",
        f"- From the baseline CNN to the best model, the {model_name(best_name)}, test accuracy "
        f"goes from {percent(base['test_accuracy'])} to {percent(best['test_accuracy'])}: "
        f"{count(base['test_errors'])} and {count(best['test_errors'])} errors among "
        f"{count(test_images)} test digits, {change}.\n"
        "- What is left is typically hard digits, as the most confident mistakes in section 2 "
        "show: strokes broken, cramped or slanted far more than usual, and shapes between two "
        "classes (a 4 closing into a 9, a 7 that could be a 1). MNIST's test set is also "
        "known to contain a few digits that are ambiguous even to people or carry a wrong "
        "label, so the last errors say as much about the labels as about the model, and the "
        "ceiling is below 100%.\n"
        "- Retrained with another seed, the improved CNN's test accuracy moves by about "
        f"{100 * seeds['test_std']:.2f} points (standard deviation over {len(seeds['seeds'])} "
        "seeds), and another CPU changes it by as much even with the same seed: differences of "
        "a few test errors between two models are evidence only when a paired test says so "
        "(section 5). Times depend on the machine.\n"
        "- MNIST's digits are centred and size-normalised, and the models rely on it: the "
        "centring measurement of section 8 shows what a different framing costs and what "
        "centring the input wins back, which is why the app prepares every drawing that way.",
    ])


SECTIONS = (
    header,
    data_section,
    baseline_section,
    ablation_section,
    seeds_section,
    comparison_section,
    benchmark_section,
    visualize_section,
    export_section,
    conclusions_section,
)
