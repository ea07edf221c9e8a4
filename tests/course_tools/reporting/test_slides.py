"""course_tools.reporting.slides: the deck is built from the metrics and figures, opens offline,
and every slide renders in a real browser (Debian's chromium driven by Playwright).

The browser test presents the committed full-profile run (reports/) and saves a screenshot of
every slide under scratch/test-artefacts/slides/.
"""

import json
import re
import shutil
from html.parser import HTMLParser

import pytest

from course_tools.browser import LOCAL_SCHEMES
from course_tools.reporting import slides
from course_tools.reporting.inputs import ReportInputError
from helpers import settings
from helpers.formatting import count, file_size, percent, seconds
from tests.course_tools.reporting.report_samples import TINY_PNG, synthetic_metrics, write_run

ARTEFACTS = settings.REPO_ROOT / "scratch" / "test-artefacts" / "slides"
BASE_KEYS = ["title", "data", "preprocessing", "baseline", "evaluation", "mistakes", "ablation",
             "seeds", "results", "learned", "robustness", "deployment", "drawing", "conclusions"]
BENCHMARK = {"reference": {"test_accuracy": 0.9012, "train_seconds": 12.0},
             "improved": {"test_accuracy": 0.9214, "train_seconds": 18.4},
             "time_ratio": 1.53, "accuracy_gain_points": 2.02}


def _run(tmp_path, metrics=None):
    """A synthetic run with every figure the slides show."""
    profile = write_run(tmp_path, metrics=metrics)
    for name in ("01_mean_images.png",):  # shown by the deck, not by the report
        (profile.figures_dir / name).write_bytes(TINY_PNG)
    return profile


def _with_every_section():
    metrics = synthetic_metrics()
    metrics["benchmark"] = json.loads(json.dumps(BENCHMARK))
    return metrics


def test_deck_without_a_benchmark(tmp_path):
    profile = _run(tmp_path)
    deck = slides.write_deck(profile)

    assert deck.index == tmp_path / "reports" / "slides" / "index.html"
    assert [slide.key for slide in deck.slides] == BASE_KEYS
    assert 12 <= len(deck.slides) <= 15
    assert all(slide.notes for slide in deck.slides), "every slide has speaker notes"
    page = deck.index.read_text()
    assert page.count("<section ") == len(deck.slides)
    assert page.count('<aside class="notes">') == len(deck.slides)
    assert "quick profile" in page  # the badge: quick numbers are not results
    for slide in deck.slides:
        if slide.figure:
            assert (deck.index.parent / "figures" / slide.figure).is_file(), slide.figure
    for name in ("reveal.js", "reveal.css", "notes.js", "LICENSE"):
        assert (deck.index.parent / "reveal" / name).is_file(), name


def test_numbers_come_from_the_metrics(tmp_path):
    deck = slides.write_deck(_run(tmp_path, _with_every_section()))
    keys = [slide.key for slide in deck.slides]
    assert keys == BASE_KEYS[:9] + ["benchmark"] + BASE_KEYS[9:]
    assert len(keys) == 15
    by_key = {slide.key: slide for slide in deck.slides}
    assert "**93.01%** test accuracy (699 errors in 10,000 digits)" in by_key["title"].points[0]
    assert "991 mistakes among 10,000 test digits" in by_key["evaluation"].points
    seeds = by_key["seeds"]
    assert seeds.points == (
        "Improved CNN, 2 seeds: test accuracy 91.92% ± 0.31 points (91.70% to 92.14%)",
        "The 2 seed models averaged (an ensemble): **93.01%**, 699 errors",
    )
    assert "| improved CNN | baseline CNN | 412 / 207 | 0 | +1.60 to +2.50 |" in seeds.table
    assert "| seed 43 | seed 42 | 150 / 194 | 0.0203 | -0.81 to -0.07 |" in seeds.table
    assert "seeds 42, 43" in seeds.notes[0] and "Seed 42 was chosen" in seeds.notes[0]
    assert "for 2 times the compute" in seeds.notes[1]
    ablation = by_key["ablation"]
    assert "validation accuracy (mean ± std, 2 seeds)" in ablation.table
    assert "| `all` | 92.31% ± 0.29 | - | - |" in ablation.table
    assert "| `no_batch_norm` | 88.03% ± 0.19 | -4.27 | 0.0" in ablation.table
    assert "on 300 training images for 1 epochs, with 2 seeds" in ablation.notes[0]
    assert "leaving out batch normalisation" in ablation.notes[1]
    results = by_key["results"].table
    best = _with_every_section()["improved_cnn"]
    assert (f"| improved CNN | {count(best['params'])} | {percent(best['test_accuracy'])} | 786 "
            f"| {seconds(best['train_seconds'])} | {file_size(best['model_file_bytes'])} |"
            ) in results
    assert ("| **ensemble of the improved CNN's seeds (best)** | 224,916 | 93.01% | 699 | 13 s "
            "| 2.80 MB |") in results
    deployment = by_key["deployment"].table
    assert "| int8 (weights and activations) | 125.0 kB | 92.05% | -0.09 | 0.23 ms |" in deployment
    assert "41.27% instead of 92.14%" in " ".join(by_key["drawing"].points)
    assert "Rotation: 92.14% at 0, 41.82% at -45 degrees" in by_key["robustness"].points[0]
    assert "| reference example | 90.12% | 12 s |" in by_key["benchmark"].table
    assert "+2.02 points of test accuracy for 1.53 times" in by_key["benchmark"].points[0]
    conclusions = " ".join(by_key["conclusions"].points)
    assert "moves the test accuracy by about 0.31 points" in conclusions
    assert "292 fewer mistakes" in conclusions


def test_the_digits_scored_are_counted_apart_from_mnists_test_set(tmp_path):
    metrics = synthetic_metrics()
    metrics["data"]["test_split"] = 2000  # the quick profile scores a subset of the 10,000
    deck = slides.write_deck(_run(tmp_path, metrics))
    text = "\n".join(" ".join(slide.points) + " " + " ".join(slide.notes) for slide in deck.slides)
    assert "errors in 2,000 digits" in text and "among 2,000 test digits" in text
    assert "10,000 digits" not in text and "10,000 test digits" not in text
    assert "10,000 test images" in text  # MNIST's own test set, in the data slide


def test_benchmark_slide_over_seeds_shows_the_spread():
    bench = {**json.loads(json.dumps(BENCHMARK)), "seeds": [42, 43, 44]}
    bench["reference"]["test_accuracy_std"] = 0.0021
    bench["improved"]["test_accuracy_std"] = 0.0005
    slide = slides.benchmark_slide(slides.Metrics({"benchmark": bench}))
    assert "| recipe | test accuracy (3 seeds) | training time |" in slide.table
    assert "| reference example | 90.12% ± 0.21 | 12 s |" in slide.table
    assert "| improved recipe | 92.14% ± 0.05 | 18 s |" in slide.table


def test_missing_sections_are_listed_with_their_notebooks(tmp_path):
    metrics = synthetic_metrics()
    del metrics["export"], metrics["visualize"]
    with pytest.raises(ReportInputError) as error:
        slides.write_deck(_run(tmp_path, metrics))
    message = str(error.value)
    assert "the slides need 2 more inputs" in message
    assert "no 'visualize' section: run notebooks/07_visualize.ipynb" in message
    assert "no 'export' section: run notebooks/08_deploy.ipynb" in message
    assert not (tmp_path / "reports" / "slides").exists()


def test_a_missing_key_names_its_notebook(tmp_path):
    metrics = synthetic_metrics()
    del metrics["ablation"]["variants"]["all"]
    with pytest.raises(ReportInputError, match="no 'all' variant.*06_improve"):
        slides.write_deck(_run(tmp_path, metrics))


def test_a_missing_figure_names_its_notebook(tmp_path):
    profile = _run(tmp_path)
    (profile.figures_dir / "07_grad_cam.png").unlink()
    with pytest.raises(ReportInputError, match="07_grad_cam.png is missing: run "
                                               "notebooks/07_visualize.ipynb"):
        slides.write_deck(profile)


def test_metrics_of_another_profile_are_refused(tmp_path):
    with pytest.raises(ReportInputError, match="written by the 'full' profile"):
        slides.write_deck(_run(tmp_path, synthetic_metrics("full")))


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("src", "href")]


def test_the_deck_links_only_files_inside_its_folder(tmp_path):
    deck = slides.write_deck(_run(tmp_path), out=tmp_path / "deck")
    parser = _Links()
    parser.feed(deck.index.read_text())
    figures = sum(1 for slide in deck.slides if slide.figure)
    assert len(parser.links) == figures + 4  # and 2 scripts, 2 style sheets
    for link in parser.links:
        assert not re.match(r"[a-z]+:|//|/", link), link
        assert (deck.index.parent / link).resolve().is_relative_to(deck.index.parent), link
        assert (deck.index.parent / link).is_file(), link
    theme = (deck.index.parent / "theme.css").read_text()
    assert "@import" not in theme and "url(" not in theme


def test_main_builds_the_active_profiles_deck(tmp_path, monkeypatch, capsys):
    _run(tmp_path)
    monkeypatch.setenv(settings.PROFILE_ENV_VAR, "quick")
    monkeypatch.setenv(settings.OUTPUT_ENV_VAR, str(tmp_path))
    assert slides.main([]) == 0
    assert "14 slides (quick profile)" in capsys.readouterr().out
    assert (tmp_path / "reports" / "slides" / "index.html").is_file()

    (tmp_path / "reports" / "metrics.json").unlink()
    assert slides.main([]) == 1
    assert "metrics.json is missing" in capsys.readouterr().err


# -- in a real browser ----------------------------------------------------------------------


SLIDE_STATE = """() => {
    const section = Reveal.getCurrentSlide();
    const frame = section.querySelector('.frame');
    const images = [...section.querySelectorAll('img')];
    return {
        key: section.id,
        title: section.querySelector('h1, h2').textContent,
        notes: Reveal.getSlideNotes(section) || '',
        images: images.map(img => img.complete && img.naturalWidth > 0),
        overflow: [frame.scrollHeight - frame.clientHeight, frame.scrollWidth - frame.clientWidth],
    };
}"""


def _table(page, selector):
    return page.locator(selector).evaluate(
        "table => [...table.rows].map(row => [...row.cells].map(cell => cell.textContent.trim()))"
    )


def _open(browser, deck):
    """A page showing ``deck`` at the size of the slides; it lists every request that leaves
    the machine in ``page.outside``."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    outside = []
    context.on("request", lambda request: request.url.startswith(LOCAL_SCHEMES)
               or outside.append(request.url))
    page = context.new_page()
    page.outside = outside
    page.goto(deck.index.as_uri())
    page.wait_for_function("() => window.Reveal && Reveal.isReady()")
    page.evaluate("Reveal.configure({transition: 'none'})")
    assert page.evaluate("Reveal.getTotalSlides()") == len(deck.slides)
    return page


def _show_every_slide(page, deck, screenshots=None):
    """Go through the deck: each slide is the one expected, has notes, loads its images and
    fits the slide; a screenshot of each goes to ``screenshots`` when given."""
    for number, slide in enumerate(deck.slides):
        page.evaluate(f"Reveal.slide({number})")
        page.wait_for_function("() => [...Reveal.getCurrentSlide().querySelectorAll('img')]"
                               ".every(img => img.complete)")
        state = page.evaluate(SLIDE_STATE)
        assert state["key"] == slide.key and state["title"] == slide.title
        assert state["notes"].strip(), f"slide {slide.key} has no speaker notes"
        assert all(state["images"]), f"slide {slide.key}: an image did not load"
        assert max(state["overflow"]) <= 1, f"slide {slide.key} overflows by {state['overflow']}"
        if screenshots:
            page.screenshot(path=screenshots / f"{number + 1:02d}_{slide.key}.png")


def test_every_slide_renders_offline_and_the_results_equal_the_metrics(browser, tmp_path):
    profile = settings.PROFILES["full"]  # the committed run
    deck = slides.write_deck(profile, out=tmp_path / "slides")
    metrics = json.loads(profile.metrics_path.read_text())
    page = _open(browser, deck)

    if ARTEFACTS.is_dir():
        shutil.rmtree(ARTEFACTS)
    ARTEFACTS.mkdir(parents=True)
    _show_every_slide(page, deck, ARTEFACTS)

    page.evaluate("Reveal.slide(Reveal.getSlides().findIndex(s => s.id === 'results'))")
    rows = _table(page, "#results table")
    assert rows[0] == list(slides.RESULTS_HEADER)
    expected = {}
    for name in slides.COMPARED_MODELS:
        record = metrics[name]
        label = slides._label(name) + (" (best)" if name == metrics["best_model"]["name"] else "")
        expected[label] = [label, count(record["params"]), percent(record["test_accuracy"]),
                           count(record["test_errors"]), seconds(record["train_seconds"]),
                           file_size(record["model_file_bytes"])]
    assert {row[0]: row for row in rows[1:]} == expected

    best = metrics[metrics["best_model"]["name"]]
    page.evaluate("Reveal.slide(0)")
    assert percent(best["test_accuracy"]) in page.locator("#title").inner_text()
    assert page.outside == [], "the deck must not fetch anything from the network"
    page.context.close()


def test_every_slide_fits_and_the_speaker_view_opens_offline(browser, tmp_path):
    deck = slides.write_deck(_run(tmp_path, _with_every_section()))
    page = _open(browser, deck)
    _show_every_slide(page, deck)

    page.evaluate("Reveal.slide(0)")
    with page.expect_popup() as popup:
        page.keyboard.press("s")
    speaker = popup.value
    speaker.wait_for_load_state()
    notes = deck.slides[0].notes[0].split(":")[0]
    speaker.locator(".speaker-controls-notes").filter(has_text=notes).wait_for()
    assert page.outside == []
    page.context.close()
