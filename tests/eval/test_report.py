"""Reports from real run folders: report.md and a self-contained report.html whose plots render in headless
Chromium (a screenshot is taken), and `medcite eval compare` with paired intervals."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from eval.config import RunConfig
from eval.datasets import load_dataset
from eval.execute import Executor
from eval.plan import build_plan
from eval.report.render import write_report
from eval.runfolder import RunFolder
from eval.runner import run_configuration, run_plan
from rag.config import Settings
from rag.retrieve.adaptive_k import calibrate_k
from tests.browser import headless_chromium
from tests.eval.conftest import REPO

pytestmark = pytest.mark.integration


def _run(out: Path, dataset: str, path: Path, settings: Settings, **config: object) -> Path:
    plan = build_plan(load_dataset(dataset, path, "test"), RunConfig.model_validate(config))
    executor = Executor(plan, settings)
    folder = RunFolder(out)
    folder.create(plan, run_configuration(plan, executor, source={}))
    run_plan(folder, executor)
    return out


@pytest.fixture(scope="module")
def runs(vqa_set: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    cases, index = vqa_set
    root = tmp_path_factory.mktemp("runs")
    calibration = root / "k-calibration.json"  # the k ablation's calibrated variant needs one
    losses = {k: [0.0] * 20 for k in (1, 2, 3)}
    calibrate_k(losses, alpha=0.5, delta=0.1, data="test", coverage=dict.fromkeys(losses, 1.0)).save(calibration)
    settings = Settings(index_dir=index, text_encoder="hashing", calibration_file=calibration)
    return {
        "vqa": _run(root / "vqa", "vqa-rad", cases, settings, probes=["blank", "negated"], ablations=["k"]),
        "staging": _run(root / "staging", "staging", REPO / "eval/sets/staging-dev-b.jsonl", settings),
    }


def test_markdown_report_has_tables_plots_and_failures(runs: dict[str, Path]) -> None:
    written = write_report(runs["vqa"])
    assert set(written["plots"]) == {"accuracy_by_question_type", "k_distribution", "accuracy_vs_k", "coverage_risk"}
    text = (runs["vqa"] / "report.md").read_text()
    headings = ["Headline figures", "Variants and ablations", "Image sensitivity", "Consistency probes",
                "Citations, abstention and retrieval", "Latency per pipeline stage (ms)", "Worst failures"]  # fmt: skip
    for heading in headings:
        assert f"## {heading}" in text, heading
    for variant in ("k_fixed", "k_gap", "k_calibrated", "majority", "question_only"):
        assert f"| {variant} |" in text
    assert "pp (p=" in text  # paired differences against the primary variant
    for name in written["plots"]:
        assert Image.open(runs["vqa"] / "plots" / f"{name}.png").size[0] > 300
    staging = write_report(runs["staging"])
    assert staging["plots"] == ["stage_confusion"]
    assert "expected \\ staged" in (runs["staging"] / "report.md").read_text()


def test_compare_cli_gives_paired_intervals(runs: dict[str, Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "medcite.cli", "eval", "compare", str(runs["vqa"]), str(runs["vqa"]),
         "--variant", "k_gap:k_fixed", "--variant", "k_gap:majority"],
        capture_output=True, text=True, cwd=REPO, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "k_gap vs majority" in done.stdout and "closed accuracy" in done.stdout and "pp (p=" in done.stdout


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from headless_chromium(1300, 3000)


@pytest.mark.slow
@pytest.mark.parametrize("run", ["vqa", "staging"])
def test_report_html_renders_its_plots_in_chromium(runs: dict[str, Path], browser: object, run: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    written = write_report(runs[run])
    html = Path(written["html"]).read_text()
    assert "src='http" not in html and "<script" not in html and "<link" not in html  # self-contained
    browser.get(Path(written["html"]).as_uri())
    plots = browser.find_elements(By.CSS_SELECTOR, "img.plot")
    assert len(plots) == len(written["plots"]) >= 1
    for plot in plots:
        browser.execute_script("arguments[0].scrollIntoView()", plot)
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", plot) > 300
        shot = Image.open(io.BytesIO(base64.b64decode(plot.screenshot_as_base64))).convert("L")
        low, high = shot.getextrema()
        assert high - low > 100, "the plot rendered blank"  # axes, bars and text give contrast
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot = runs[run] / "report-screenshot.png"
    assert browser.save_screenshot(str(screenshot))
    assert Image.open(screenshot).size[0] >= 1000
